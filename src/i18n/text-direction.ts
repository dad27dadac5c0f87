// Arabic-script letters (Urdu among them): the main block, its supplement and the presentation forms.
const ARABIC_SCRIPT = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/;

/**
 * The direction a text is written in, by its script: right to left when it has any Urdu (Arabic
 * script) letter. For a text whose language is not at hand (a certificate's course title): an
 * Urdu title may start with "Alibaba.com", which dir="auto" would lay out left to right.
 */
export function textDirection(text: string): 'rtl' | 'ltr' {
  return ARABIC_SCRIPT.test(text) ? 'rtl' : 'ltr';
}
