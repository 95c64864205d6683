// The leave-message form as the session's flow configures it: which
// contact fields to ask for, in order, and which must be filled (marked
// with *). The API checks the same form and names a missing field; the
// browser's own `required` check only saves a round trip.
import { el } from '/shared/dom.js';

/** @typedef {NonNullable<import('/shared/route-views.js').SessionState['leaveMessageForm']>} Form */

/** Input attributes per field the flow may ask for (domain/flow.ts leaveMessageFieldSchema). */
const inputs = /** @type {const} */ ({
  name: { type: 'text', maxlength: '80', autocomplete: 'name' },
  phone: { type: 'tel', maxlength: '20', autocomplete: 'tel' },
  email: { type: 'email', maxlength: '200', autocomplete: 'email' },
  orderRef: { type: 'text', maxlength: '100', autocomplete: 'off' },
});

/**
 * @param {HTMLElement} container where the contact fields go
 * @param {(key: string) => string} t
 */
export function leaveForm(container, t) {
  /** @type {Form | undefined} */
  let drawn;

  /** @param {Form} form */
  function draw(form) {
    drawn = form;
    container.replaceChildren(
      ...form.map((field) =>
        el('label', { attrs: { 'data-field': field.name } }, [
          el('span', { text: t(field.name) }),
          ...(field.required
            ? [el('span', { class: 'required', text: ' *', attrs: { title: t('required') } })]
            : []),
          ' ',
          el('input', {
            attrs: {
              name: field.name,
              ...inputs[field.name],
              ...(field.required ? { required: '', 'aria-required': 'true' } : {}),
            },
          }),
        ]),
      ),
    );
  }

  return {
    /** Draws the form when it changed; labels follow the language on redraw. @param {Form} form */
    show(form) {
      if (JSON.stringify(form) !== JSON.stringify(drawn)) draw(form);
    },
    redraw() {
      if (drawn) draw(drawn);
    },
    /** The filled contact fields of the form. @param {FormData} data */
    contact(data) {
      return Object.fromEntries(
        (drawn ?? [])
          .map((field) => [field.name, String(data.get(field.name) ?? '').trim()])
          .filter(([, value]) => value),
      );
    },
  };
}
