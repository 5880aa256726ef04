import { useEffect, useState } from "preact/hooks";

import type { Notification } from "../api/resources";
import { useApp } from "../app";
import type { LiveEvent } from "../live/socket";
import { noticeOf, titleOf } from "../screens/Notifications";
import { Link } from "./Link";

/** An urgent alert near a member who said yes to them, on top of every screen until she
 * opens or dismisses it; its end replaces it. In her language, whenever it came. */
export function UrgentBanner() {
  const app = useApp();
  const { t } = app;
  const [alerts, setAlerts] = useState<Notification[]>([]);
  useEffect(() => {
    if (!app.session.account) return setAlerts([]);
    return app.listen("notifications", (event: LiveEvent) => {
      const item = noticeOf(event);
      if (item.reason !== "urgent_alert" && item.reason !== "urgent_alert_resolved") return;
      // One banner per post: its end replaces its alert.
      setAlerts((shown) => [item, ...shown.filter((a) => a.post_id !== item.post_id)]);
    });
  }, [app.session.account?.id]);
  if (alerts.length === 0) return null;
  return (
    <div class="urgent-banners">
      {alerts.map((alert) => (
        <div class={`urgent-banner ${alert.reason}`} role="alert" key={alert.id}>
          {alert.post_id ? <Link href={`/posts/${alert.post_id}`}>{titleOf(t, app.tn, alert)}</Link> : titleOf(t, app.tn, alert)}
          <button type="button" onClick={() => setAlerts((shown) => shown.filter((a) => a.id !== alert.id))}>{t("dismiss")}</button>
        </div>
      ))}
    </div>
  );
}
