import type { ComponentChildren } from "preact";

import { useApp } from "../app";

/** A link inside the app: the history API, no page load (a new tab still works). */
export function Link({ href, children, onClick, ...rest }: {
  href: string; children: ComponentChildren; onClick?: (event: MouseEvent) => void;
} & Record<string, unknown>) {
  const { go } = useApp();
  return (
    <a
      href={href}
      aria-current={href === location.pathname ? "page" : undefined}
      {...rest}
      onClick={(event: MouseEvent) => {
        onClick?.(event); // the caller's first (marking a notification read, say)
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        go(href);
      }}
    >
      {children}
    </a>
  );
}
