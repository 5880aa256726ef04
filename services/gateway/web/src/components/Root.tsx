import { useEffect, useRef } from "preact/hooks";

import type { Config } from "../api/http";
import { AppContext, useAppState } from "../app";
import type { Lang } from "../i18n";
import { Conversation } from "../screens/Conversation";
import { Conversations } from "../screens/Conversations";
import { Feed } from "../screens/Feed";
import { LogIn, Register } from "../screens/Account";
import { Moderation } from "../screens/Moderation";
import { MyPosts } from "../screens/MyPosts";
import { OrganisationScreen } from "../screens/Organisation";
import { Partner } from "../screens/Partner";
import { NewPost } from "../screens/NewPost";
import { Notifications } from "../screens/Notifications";
import { PasswordReset, VerifyEmail } from "../screens/PasswordReset";
import { PostView } from "../screens/PostView";
import { MemberProfile } from "../screens/Profile";
import { Room } from "../screens/Room";
import { Settings } from "../screens/Settings";
import { Header } from "./Header";
import { Problem } from "./States";
import { AlertPrompt } from "./AlertPrompt";

export function Root({ config, lang }: { config: Config; lang: Lang }) {
  const app = useAppState(config, lang);
  const main = useRef<HTMLElement>(null);
  const route = app.route;
  // A new screen: focus its heading, as a page load would, for keyboards and readers.
  useEffect(() => {
    main.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [route]);
  let screen;
  switch (route.name) {
    case "feed": screen = <Feed query={route.query} />; break;
    case "post": screen = <PostView id={route.id} />; break;
    case "alert": screen = <Room key={route.id} id={route.id} />; break;
    case "member": screen = <MemberProfile key={route.id} id={route.id} />; break;
    case "conversation": screen = <Conversation key={route.id} id={route.id} />; break;
    case "conversations": screen = <Conversations />; break;
    case "moderation": screen = <Moderation />; break;
    case "organisation": screen = <OrganisationScreen />; break;
    case "partner": screen = <Partner />; break;
    case "new": screen = <NewPost />; break;
    case "my_posts": screen = <MyPosts />; break;
    case "notifications": screen = <Notifications />; break;
    case "settings": screen = <Settings />; break;
    case "password_reset": screen = <PasswordReset key={route.token} token={route.token} />; break;
    case "verify_email": screen = <VerifyEmail token={route.token} />; break;
    case "login": screen = <LogIn next={route.next} />; break;
    case "register": screen = <Register next={route.next} />; break;
    default: screen = <Problem problem={{ key: "error_not_found" }} />;
  }
  return (
    <AppContext.Provider value={app}>
      <a class="skip" href="#main">{app.t("skip_to_content")}</a>
      <Header />
      <AlertPrompt />
      <main id="main" ref={main}>{screen}</main>
    </AppContext.Provider>
  );
}
