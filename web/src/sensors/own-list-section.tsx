import type { ComponentChildren, Ref } from 'preact';
import { t } from './strings';
import type { OwnList } from './use-own-list';

/**
 * One of the owner's lists (devices, drive logs, feeds): its heading with a refresh of its own (the other
 * sections are hidden, not gone), the last action's notice, and the loading, failed and empty states. The
 * items and any form after them are the children.
 */
export function OwnListSection<T>(props: {
  headingId: string;
  heading: string;
  empty: string;
  list: OwnList<T>;
  notice: string;
  onNoticeCleared: () => void;
  /** For a section that moves the focus to its heading, e.g. when the focused card is removed. */
  headingRef?: Ref<HTMLHeadingElement>;
  children: ComponentChildren;
}) {
  const { list } = props;
  return (
    <section aria-labelledby={props.headingId}>
      <div class="section-head">
        <h2 id={props.headingId} ref={props.headingRef} tabIndex={props.headingRef ? -1 : undefined}>
          {props.heading}
        </h2>
        <button
          type="button"
          class="secondary refresh"
          onClick={() => {
            props.onNoticeCleared();
            list.reload();
          }}
        >
          {t.refresh}
        </button>
      </div>
      <div aria-live="polite">{props.notice && <p class="notice notice-success">{props.notice}</p>}</div>
      {list.error && (
        <div class="notice notice-error" role="alert">
          <p>{list.error}</p>
          <button type="button" class="secondary" onClick={list.reload}>
            {t.retry}
          </button>
        </div>
      )}
      {list.loading && <p class="muted">{t.loading}</p>}
      {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{props.empty}</p>}
      {props.children}
    </section>
  );
}
