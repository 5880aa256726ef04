import { useEffect, useRef, useState } from "preact/hooks";

import type { Notification } from "../api/resources";
import { type App, useApp } from "../app";
import type { Key } from "../i18n";
import type { LiveEvent } from "../live/socket";
import { noticeOf, titleOf } from "../screens/Notifications";
import { Link } from "./Link";

export const SOUND_KEY = "alert_sound";
const BEEP_HZ = 880;
const BEEP_S = 0.25;
// Who a ring reached reaches the gateway on another Kafka topic than the notification:
// an answer that came first is refused once, and tried again after this.
const RETRY_MS = 2_000;

/** An urgent alert near a member who said yes to them: a prompt over everything, one at
 * a time (the others wait their turn, never stacked), with a sound if she asked for one
 * and a system notification when the tab is in the background. She answers "I'm coming"
 * (and enters the search room) or "I can't"; the alert's end takes it away. */
export function AlertPrompt() {
  const app = useApp();
  const { t } = app;
  const [queue, setQueue] = useState<Notification[]>([]);
  const [ended, setEnded] = useState<Notification[]>([]);
  const [problem, setProblem] = useState<Key | null>(null);
  const [sending, setSending] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  const latest = useRef(app);
  latest.current = app; // the language of the moment, for a sound or a system notification
  const retried = useRef(new Set<string>());
  const lastAnswer = useRef<"coming" | "cannot">("coming");
  const current = queue[0];
  const account = app.session.account?.id;

  useEffect(() => {
    if (!account) return setQueue([]);
    const offNotices = app.listen("notifications", (event: LiveEvent) => {
      const item = noticeOf(event);
      if (item.reason === "urgent_alert") {
        setQueue((waiting) => (waiting.some((a) => a.post_id === item.post_id) ? waiting : [...waiting, item]));
        announce(latest.current, item);
      } else if (item.reason === "urgent_alert_resolved") {
        setQueue((waiting) => waiting.filter((a) => a.post_id !== item.post_id));
        setEnded((shown) => [item, ...shown.filter((a) => a.post_id !== item.post_id)]);
      }
    });
    const offFrames = app.onFrame((frame) => {
      if (frame.type === "answered") {
        setQueue((waiting) => waiting.filter((a) => a.post_id !== frame.post_id));
        setProblem(null);
        setSending(false);
        if (frame.answer === "coming") latest.current.go(`/alerts/${String(frame.post_id)}`);
      } else if (frame.type === "error" && String(frame.channel ?? "").startsWith("room:") && frame.field === "post_id") {
        const postId = String(frame.channel).slice("room:".length);
        if (frame.code === "forbidden" && !retried.current.has(postId)) {
          retried.current.add(postId);
          setTimeout(() => latest.current.live.send({ type: "answer", post_id: postId, answer: lastAnswer.current }), RETRY_MS);
          return;
        }
        setSending(false);
        setProblem(frame.code === "alert_ended" ? "alert_ended" : frame.code === "forbidden" ? "alert_forbidden" : "room_unavailable");
      }
    });
    return () => { offNotices(); offFrames(); };
  }, [account]);

  useEffect(() => { setProblem(null); setSending(false); first.current?.focus(); }, [current?.post_id]);

  const answer = (what: "coming" | "cannot") => {
    if (!current?.post_id || sending) return;
    lastAnswer.current = what;
    if (!app.live.send({ type: "answer", post_id: current.post_id, answer: what })) return setProblem("room_unavailable");
    setSending(true);
  };
  // Later: this alert waits behind the others (alone, it is put away: its request stays
  // in the notifications).
  const later = () => setQueue((waiting) => (waiting.length > 1 ? [...waiting.slice(1), waiting[0]] : []));

  return (
    <>
      {ended.length > 0 && (
        <div class="urgent-banners">
          {ended.map((item) => (
            <div class="urgent-banner urgent_alert_resolved" role="status" key={item.id}>
              {titleOf(t, app.tn, item)}
              <button type="button" onClick={() => setEnded((shown) => shown.filter((a) => a.id !== item.id))}>{t("dismiss")}</button>
            </div>
          ))}
        </div>
      )}
      {current && (
        <div class="alert-overlay" onKeyDown={(e) => { if (e.key === "Escape") later(); }}>
          <div class="alert-prompt" role="alertdialog" aria-modal="true" aria-labelledby="alert-title" aria-describedby="alert-what">
            <h2 id="alert-title">{t("alert_prompt_title")}</h2>
            <p id="alert-what" class="alert-what">{titleOf(t, app.tn, current)}</p>
            <p class="meta">
              {current.distance_m ? <span>{alertDistance(app, current.distance_m)}</span> : null}
              <span>{app.ago(current.created_at)}</span>
            </p>
            <p class="explain">{t("alert_prompt_explain")}</p>
            {problem && <p class="form-problem" role="alert">{t(problem)}</p>}
            <div class="actions">
              <button ref={first} type="button" class="primary urgent" disabled={sending} onClick={() => answer("coming")}>{t("alert_coming")}</button>
              <button type="button" disabled={sending} onClick={() => answer("cannot")}>{t("alert_cannot")}</button>
              {current.post_id && <Link href={`/posts/${current.post_id}`} onClick={later}>{t("alert_see_request")}</Link>}
            </div>
            {queue.length > 1 && <p class="meta">{app.tn("alert_more_waiting", queue.length - 1)}</p>}
          </div>
        </div>
      )}
    </>
  );
}

/** "under 500 m from you", "about 3 km from you": never finer (the server sends buckets). */
export function alertDistance(app: App, metres: number): string {
  if (metres <= 500) return app.t("alert_distance_500");
  return app.t("alert_distance_km", { km: new Intl.NumberFormat(app.lang).format(Math.round(metres / 1000)) });
}

function announce(app: App, item: Notification): void {
  if (localStorage.getItem(SOUND_KEY) === "on") beep();
  if (document.visibilityState === "hidden" && "Notification" in window && Notification.permission === "granted") {
    const shown = new Notification(app.t("alert_prompt_title"), { body: titleOf(app.t, app.tn, item), tag: item.post_id ?? item.id });
    shown.onclick = () => { window.focus(); shown.close(); };
  }
}

function beep(): void {
  try {
    const context = new AudioContext();
    for (const start of [0, BEEP_S * 2]) {
      const tone = context.createOscillator();
      tone.frequency.value = BEEP_HZ;
      tone.connect(context.destination);
      tone.start(context.currentTime + start);
      tone.stop(context.currentTime + start + BEEP_S);
    }
    // Browsers allow only a few open contexts: this one closes once its two beeps are done.
    setTimeout(() => void context.close(), BEEP_S * 4 * 1000);
  } catch {
    // No sound (no audio device, or the page was never touched): the prompt still shows.
  }
}
