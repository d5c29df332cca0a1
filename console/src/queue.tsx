// A work queue's list (unmatched payments, identity claims): reload, loading and problems, the count, one card per
// item, and "load more". Each queue gives its texts and how a card reads.
import type { ComponentChildren } from "preact";
import { ProblemView, useTexts, type PagedList } from "./ui";

interface QueueListProps<T> {
  list: PagedList<T>;
  texts: { intro: string; empty: string; count: (shown: number, more: boolean) => string; more: string };
  onReload: () => void;
  keyOf: (item: T) => string;
  card: (item: T) => ComponentChildren;
}

export function QueueList<T>({ list, texts, onReload, keyOf, card }: QueueListProps<T>) {
  const { t } = useTexts();
  const { first, items, next, loadMore, paging } = list;
  return (
    <>
      <p class="note">{texts.intro}</p>
      <div class="toolbar">
        <button type="button" onClick={onReload}>
          {t.reload}
        </button>
      </div>
      <div aria-busy={first.status === "loading" ? "true" : "false"}>
        {first.status === "loading" && (
          <p class="loading" role="status">
            {t.loading}
          </p>
        )}
        {first.status === "failed" && <ProblemView shown={first.shown} />}
        {first.status === "loaded" &&
          (items.length === 0 ? (
            <p class="notice">{texts.empty}</p>
          ) : (
            <>
              <p class="count">{texts.count(items.length, next !== null)}</p>
              <ul class="queue">
                {items.map((item) => (
                  <li key={keyOf(item)} class="card">
                    {card(item)}
                  </li>
                ))}
              </ul>
            </>
          ))}
        {next && (
          <button type="button" disabled={paging.busy} onClick={loadMore}>
            {paging.busy ? t.loading : texts.more}
          </button>
        )}
        {paging.problem && <ProblemView shown={paging.problem} />}
      </div>
    </>
  );
}
