/** Page controls with names a screen reader can say ("Next page"), which Mantine's arrows lack. */
import { Pagination, type PaginationProps } from '@mantine/core';

const names = { first: 'First page', previous: 'Previous page', next: 'Next page', last: 'Last page' } as const;

export function Pager(props: PaginationProps & { 'aria-label': string }) {
  return <Pagination {...props} getControlProps={(control) => ({ 'aria-label': names[control] })} />;
}
