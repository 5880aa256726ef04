import type { ComponentChildren } from "preact";

import { useApp } from "../app";

/** A link inside the app: the history API, no page load (a new tab still works). */
export function Link({ href, children, ...rest }: { href: string; children: ComponentChildren } & Record<string, unknown>) {
  const { go } = useApp();
  return (
    <a
      href={href}
      {...rest}
      onClick={(event: MouseEvent) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        go(href);
      }}
    >
      {children}
    </a>
  );
}
