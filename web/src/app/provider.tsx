/** App-wide providers: the component library's theme and the query cache. */
import { Badge, createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../lib/api-client';
import { SessionWatcher } from '../lib/auth';

const theme = createTheme({
  primaryColor: 'blue',
  // WCAG 2.2 AA: shade 8 keeps blue text and white-on-blue at 4.5:1 or better, and filled badges and
  // buttons of any colour pick black or white text by their background.
  primaryShade: 8,
  autoContrast: true,
  defaultRadius: 'sm',
  // Labels read as written ("Key account"), not shouted in capitals that look like codes.
  // A badge shows its whole word ("Open", not "Op…"): it never shrinks below its text.
  components: {
    // Badges never cut their text; a long one (a fact-check reason) wraps inside its column instead of
    // running over the next one.
    Badge: Badge.extend({
      defaultProps: { tt: 'none' },
      styles: { root: { flexShrink: 0, overflow: 'visible', maxWidth: '100%', height: 'auto', minHeight: 'var(--badge-height)' }, label: { overflow: 'visible', textOverflow: 'clip', whiteSpace: 'normal' } },
    }),
  },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx will not change on retry; only transient failures are worth another try.
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={client}>
        <SessionWatcher />
        {children}
      </QueryClientProvider>
    </MantineProvider>
  );
}
