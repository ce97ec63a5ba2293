import { useRef, useState } from 'preact/hooks';
import { request } from '../api';
import { formatDateTime } from '../shared/format';
import { ConfirmedAction } from './confirmed-action';
import { AddFeed } from './feed-form';
import { OwnListSection } from './own-list-section';
import { t } from './strings';
import type { OwnList } from './use-own-list';

const texts = t.feeds;

export type FeedKind = keyof typeof texts.kinds;

/** A broker Tally reads the owner's uplinks from; its password never comes back, only whether there is one. */
export interface FeedView {
  id: string;
  owner_id: string;
  kind: FeedKind;
  url: string;
  topic: string;
  username: string | null;
  has_password: boolean;
  enabled: boolean;
  last_message_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

function FeedFacts({ feed }: { feed: FeedView }) {
  return (
    <dl class="facts">
      <dt>{texts.broker}</dt>
      <dd>
        <code>{feed.url}</code>
      </dd>
      <dt>{texts.username}</dt>
      <dd>{feed.username ? <code>{feed.username}</code> : t.none}</dd>
      <dt>{texts.password}</dt>
      <dd>{feed.has_password ? texts.passwordSet : texts.noPassword}</dd>
      <dt>{texts.lastMessage}</dt>
      <dd>{formatDateTime(feed.last_message_at) || texts.noMessage}</dd>
    </dl>
  );
}

function FeedCard(props: { feed: FeedView; onRemoved: () => void; onAuthLost: () => void }) {
  const { feed } = props;
  const headingId = `feed-${feed.id}`;
  return (
    <article class="card feed-card" aria-labelledby={headingId}>
      <header class="card-head">
        <h3 id={headingId}>{feed.topic}</h3>
        <span class="feed-chips">
          {!feed.enabled && <span class="chip">{texts.paused}</span>}
          <span class="chip chip-status">{texts.kinds[feed.kind] ?? feed.kind}</span>
        </span>
      </header>
      <FeedFacts feed={feed} />
      {feed.last_error && (
        <p class="notice notice-error feed-error">
          <strong>{texts.lastError}</strong> {feed.last_error}
        </p>
      )}
      {/* Removing a feed also forgets its key, which the owner cannot read back. */}
      <ConfirmedAction
        texts={{
          label: texts.remove,
          accessibleLabel: texts.removeFeed(feed.topic),
          warning: texts.removeWarning,
          confirm: texts.confirmRemove,
          cancel: texts.cancel,
        }}
        act={async () => {
          await request(`/api/v1/sensors/feeds/${encodeURIComponent(feed.id)}`, { method: 'DELETE' });
          props.onRemoved();
        }}
        onAuthLost={props.onAuthLost}
      />
    </article>
  );
}

/** The brokers Tally reads the owner's devices from, and the form to add another. */
export function FeedsSection(props: { own: OwnList<FeedView>; onAuthLost: () => void }) {
  const { own, onAuthLost } = props;
  const [notice, setNotice] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  return (
    <OwnListSection
      headingId="feeds-heading"
      heading={texts.heading}
      empty={texts.empty}
      list={own}
      notice={notice}
      onNoticeCleared={() => setNotice('')}
      headingRef={heading}
    >
      {own.items.map((feed) => (
        <FeedCard
          key={feed.id}
          feed={feed}
          onAuthLost={onAuthLost}
          onRemoved={() => {
            setNotice(texts.removed(feed.topic));
            own.reload();
            // Its card, which had the focus, is gone: the list's heading takes it.
            heading.current?.focus();
          }}
        />
      ))}
      <AddFeed
        onAuthLost={onAuthLost}
        onAdded={(feed) => {
          own.put(feed);
          setNotice(t.feedForm.added(feed.topic));
        }}
      />
    </OwnListSection>
  );
}
