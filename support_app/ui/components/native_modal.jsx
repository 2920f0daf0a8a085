/* The modal dialog as the browser draws it: a native <dialog> opened with showModal().
   Why, and how it is used: modal.py beside this file. */
import { Fragment, startTransition, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import "./native_modal.css";

// How many elements focused or pressed outside the dialog are remembered, newest last
// (a menu's content and each item hovered on the way count as one each).
const FOCUS_HISTORY = 16;
// A popup inside the dialog that answers Escape itself (a select's list).
const POPUPS = "[role=listbox], [role=menu]";
// Whether buttons' command/commandfor attributes work here (close_button_attrs).
const INVOKER_COMMANDS =
  typeof HTMLButtonElement !== "undefined" && "commandForElement" in HTMLButtonElement.prototype;

export function NativeModal({ open, onOpenChange, className, children, ref, ...dialogProps }) {
  const dialog = useRef(null);
  const setDialog = useCallback(
    (element) => {
      dialog.current = element;
      if (ref) ref.current = element; // the app's own ref to the element (by its id)
    },
    [ref],
  );
  const backdrop = useRef(null);
  const shown = useRef(open);
  const focusedBefore = useRef([]);
  // The content mounts once the <dialog> is in the page, so what it portals (a select's
  // list) can find it; and again after each close, so a reopened dialog starts afresh.
  const [inPage, setInPage] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setInPage(true);
    // Pressed counts too: a menu's button is pressed but not focused (Radix keeps focus off it).
    const remember = (event) => {
      const element = event.target.closest?.("button, a, input, select, textarea, [tabindex]");
      if (!element || dialog.current?.contains(element)) return;
      if (focusedBefore.current.at(-1) === element) return;
      focusedBefore.current = [...focusedBefore.current, element].slice(-FOCUS_HISTORY);
    };
    document.addEventListener("focusin", remember);
    document.addEventListener("pointerdown", remember, { capture: true });
    return () => {
      document.removeEventListener("focusin", remember);
      document.removeEventListener("pointerdown", remember, { capture: true });
    };
  }, []);

  useLayoutEffect(() => {
    shown.current = open;
    const element = dialog.current;
    if (open && !element.open) {
      element.showModal();
    } else if (!open && element.open) {
      element.close();
      // Back to the opener; a menu item that opened it is gone with its menu, so the
      // latest element focused or pressed before it that is still in the page (the
      // menu's button).
      const opener = focusedBefore.current.findLast((e) => e.isConnected && e !== document.body);
      opener?.focus();
      // Remount the content after this frame is painted, and never under an open dialog.
      requestAnimationFrame(() =>
        setTimeout(() =>
          startTransition(() => setGeneration((g) => (shown.current ? g : g + 1))),
        ),
      );
    }
  }, [open]);

  const requestClose = () => onOpenChange?.(false);
  return (
    <dialog
      {...dialogProps}
      ref={setDialog}
      className="sa-NativeModal"
      // Escape, the platform's back gesture, a button with command="request-close":
      // the dialog stays open until ``open`` says otherwise.
      onCancel={(event) => {
        event.preventDefault();
        requestClose();
      }}
      onKeyDown={(event) => {
        // Handled here rather than as a cancel: the browser lets a page refuse Escape's
        // cancel only once between two clicks, then closes. A select's list inside
        // takes its own Escape (and prevents it). Another layer that prevents it is
        // outside (the menu that opened the dialog, still leaving for its closing
        // animation): the dialog is on top, so Escape is the dialog's.
        const popupInside = dialog.current?.querySelector(POPUPS);
        if (event.key === "Escape" && !(event.defaultPrevented && popupInside)) {
          event.preventDefault();
          requestClose();
        }
      }}
      onClick={(event) => {
        // A browser without invoker commands (before Chrome 135, Firefox 144, Safari
        // 26.2) ignores command="request-close": its buttons ask here instead.
        if (!INVOKER_COMMANDS && event.target.closest?.('[command="request-close"]')) {
          requestClose();
        }
      }}
      onPointerDown={(event) => {
        // A press on the overlay beside the panel (not on the dialog's own scrollbar).
        const onOverlay = event.target === dialog.current || event.target === backdrop.current;
        if (onOverlay && event.clientX < dialog.current.clientWidth) requestClose();
      }}
    >
      <div
        ref={backdrop}
        className="rt-BaseDialogScrollPadding rt-DialogScrollPadding rt-r-align-center"
      >
        <div
          className={`rt-BaseDialogContent rt-DialogContent rt-r-size-3 ${className ?? ""}`}
          // Radix Themes animates a panel in on data-state="open"; a closed <dialog> is
          // not displayed, so the animation runs again at each showModal().
          data-state="open"
        >
          {inPage ? <Fragment key={generation}>{children}</Fragment> : null}
        </div>
      </div>
    </dialog>
  );
}
