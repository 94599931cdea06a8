import { useEffect } from 'react';

/** Sets the document title, so the browser tab and screen readers say where the user is. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Vigil` : 'Vigil';
  }, [title]);
}
