import { useState, type ReactNode } from 'react';
import type { ListParams, Page } from '../api';
import { useDebounced, useLoad } from '../hooks';
import { Alert } from './Page';

export interface Column<T> {
  /** Header text. */
  header: ReactNode;
  /** Cell content; defaults to the row's `key` field. */
  render?: (row: T) => ReactNode;
  key?: keyof T & string;
  /** The server's sort name for this column (sent as sort=name / sort=-name); omit for unsortable columns. */
  sort?: string;
  align?: 'left' | 'right' | 'center';
  width?: string;
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  /** Fetches one page: e.g. `(p, signal) => api.list('enterprises', p, signal)`. */
  load: (params: ListParams, signal: AbortSignal) => Promise<Page<T>>;
  /** Filters the page owns (search box text is added under `searchParam`); a change starts again at page 1. */
  filters?: Record<string, string | number | boolean | null | undefined>;
  /** The list endpoint's free-text parameter (e.g. `q`); shows a search box when set. */
  searchParam?: string;
  searchPlaceholder?: string;
  defaultSort?: string;
  pageSize?: number;
  rowKey: (row: T) => string;
  onRowClick?: (row: T) => void;
  empty?: ReactNode;
  /** Extra controls beside the search box (filters, buttons). */
  toolbar?: ReactNode;
  /** Bump to reload the current page (after a mutation). */
  reloadKey?: unknown;
  caption?: string;
}

/**
 * A list screen's table over a `{items, nextCursor}` endpoint: keyset paging (Next follows nextCursor,
 * Previous goes back through the cursors seen), server-side sort and search, loading and error states.
 */
export function DataTable<T>(p: DataTableProps<T>) {
  const pageSize = p.pageSize ?? 25;
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const [sort, setSort] = useState<string | undefined>(p.defaultSort);
  const filterKey = JSON.stringify([p.filters ?? {}, q, sort]);
  // cursors[i] is the cursor that loads page i (page 0 has none); other filters or sort start again at page 1.
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const setCursors = (f: (c: (string | null)[]) => (string | null)[]) => setPaging({ key: filterKey, cursors: f(cursors) });
  const pageIndex = cursors.length - 1;

  const { data, error, loading } = useLoad(
    (signal) => p.load({
      ...(p.filters ?? {}), ...(p.searchParam && q ? { [p.searchParam]: q } : {}),
      limit: pageSize, sort, cursor: cursors[pageIndex] ?? undefined,
    }, signal),
    [filterKey, JSON.stringify(cursors), p.reloadKey],
  );

  const toggleSort = (name: string) => setSort((s) => (s === name ? `-${name}` : name));
  const rows = data?.items ?? [];

  return (
    <div className="datatable">
      {(p.searchParam || p.toolbar) && (
        <div className="toolbar">
          {p.searchParam && (
            <input
              type="search" className="search" placeholder={p.searchPlaceholder ?? 'Search…'} value={search}
              onChange={(e) => setSearch(e.target.value)} aria-label="Search"
            />
          )}
          {p.toolbar}
        </div>
      )}
      {error && <Alert>{error.detail}</Alert>}
      <div className="table-wrap">
        <table className={loading ? 'loading' : ''}>
          {p.caption && <caption>{p.caption}</caption>}
          <thead>
            <tr>
              {p.columns.map((c, i) => {
                const active = c.sort && (sort === c.sort || sort === `-${c.sort}`);
                const dir = active ? (sort!.startsWith('-') ? 'descending' : 'ascending') : undefined;
                return (
                  <th key={i} style={{ width: c.width, textAlign: c.align }} aria-sort={dir}>
                    {c.sort ? (
                      <button type="button" className="th-sort" onClick={() => toggleSort(c.sort!)}>
                        {c.header}<span className="sort-mark">{dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}</span>
                      </button>
                    ) : c.header}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={p.rowKey(row)} className={p.onRowClick ? 'clickable' : undefined}
                onClick={p.onRowClick ? () => p.onRowClick!(row) : undefined}>
                {p.columns.map((c, i) => (
                  <td key={i} style={{ textAlign: c.align }}>
                    {c.render ? c.render(row) : c.key ? String((row as Record<string, unknown>)[c.key] ?? '—') : null}
                  </td>
                ))}
              </tr>
            ))}
            {!loading && !error && rows.length === 0 && (
              <tr><td colSpan={p.columns.length} className="empty-row">{p.empty ?? 'Nothing here yet.'}</td></tr>
            )}
            {loading && rows.length === 0 && (
              <tr><td colSpan={p.columns.length} className="empty-row">Loading…</td></tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <span className="muted">Page {pageIndex + 1}{rows.length ? ` · ${rows.length} row${rows.length === 1 ? '' : 's'}` : ''}</span>
        <button type="button" className="btn btn-sm" disabled={pageIndex === 0 || loading}
          onClick={() => setCursors((c) => c.slice(0, -1))}>‹ Previous</button>
        <button type="button" className="btn btn-sm" disabled={!data?.nextCursor || loading}
          onClick={() => data?.nextCursor && setCursors((c) => [...c, data.nextCursor])}>Next ›</button>
      </div>
    </div>
  );
}
