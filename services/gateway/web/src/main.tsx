import { render } from "preact";

import type { Config } from "./api/http";
import { Root } from "./components/Root";
import { preferredLang } from "./i18n";
import "./styles.css";

async function main(): Promise<void> {
  const config: Config = await fetch("/config.json").then((r) => r.json());
  const lang = preferredLang();
  document.documentElement.lang = lang;
  render(<Root config={config} lang={lang} />, document.getElementById("app") as HTMLElement);
}

void main();
