/**
 * Place-name suggestions from the gazetteer as an ARIA combobox. It is only a help: if the lookup fails the
 * reporter can still type any place name.
 */
import { api, isAbort } from '../api';
import type { Place } from '../types';
import { t } from './strings';

export function placeLabel(place: Place): string {
  return place.country ? `${place.name}, ${place.country}` : place.name;
}

export function enhancePlaceInput(input: HTMLInputElement, onChoose: (place: Place) => void): void {
  const list = document.createElement('ul');
  list.id = `${input.id}-suggestions`;
  list.className = 'suggestions';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', t.suggestionsLabel);
  list.hidden = true;
  input.insertAdjacentElement('afterend', list);

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  let places: Place[] = [];
  let active = -1;
  let timer: number | undefined;
  let pending: AbortController | undefined;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const highlight = (index: number) => {
    active = index;
    list.querySelectorAll('[role="option"]').forEach((el, i) => {
      el.setAttribute('aria-selected', String(i === index));
    });
    if (index >= 0) input.setAttribute('aria-activedescendant', `${list.id}-${index}`);
    else input.removeAttribute('aria-activedescendant');
  };

  const choose = (index: number) => {
    const place = places[index];
    if (!place) return;
    close();
    onChoose(place);
  };

  const render = () => {
    list.replaceChildren(
      ...places.map((place, i) => {
        const li = document.createElement('li');
        li.id = `${list.id}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.textContent = placeLabel(place);
        li.addEventListener('mousedown', (event) => {
          // Keep the focus in the input so the list is not closed by blur before the choice lands.
          event.preventDefault();
          choose(i);
        });
        return li;
      }),
    );
    const open = places.length > 0;
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    highlight(-1);
  };

  const lookup = async (q: string) => {
    pending?.abort();
    pending = new AbortController();
    try {
      const page = await api.get<{ items: Place[] }>('/api/v1/geo/places', { q, limit: 5 }, pending.signal);
      if (input.value.trim() !== q) return;
      places = page.items ?? [];
      render();
    } catch (error) {
      if (!isAbort(error)) close();
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) {
      pending?.abort();
      places = [];
      close();
      return;
    }
    timer = window.setTimeout(() => void lookup(q), 250);
  });

  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      highlight((active + 1) % places.length);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      highlight(active <= 0 ? places.length - 1 : active - 1);
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener('blur', () => close());
}
