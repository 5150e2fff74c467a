// Links a salesperson or collector taps: call a number, or open a WhatsApp chat with it.
// The same rules as app/collections/links.py (tel_href, whatsapp_number), so a number that
// works on the online card works here too.

const ARGENTINA = "54";
const MOBILE = "9";
const NATIONAL_DIGITS = 10;
const MIN_DIGITS = 8;
const MAX_DIGITS = 15;

/** A tel: link for a number as written ("011 4567-8901" -> "tel:01145678901"), or null. */
export function telHref(raw) {
  if (!raw) return null;
  let number = raw.replace(/[^\d+]/g, "");
  number = number ? number[0] + number.slice(1).replace(/\+/g, "") : "";
  return number.replace(/^\+/, "").length >= 6 ? `tel:${number}` : null;
}

/** The ten national digits: area code and number, the mobile "15" taken out. */
function national(digits) {
  if (digits.length === NATIONAL_DIGITS + 2) {
    for (const area of [2, 3, 4]) {
      if (digits.slice(area, area + 2) === "15") {
        return digits.slice(0, area) + digits.slice(area + 2);
      }
    }
    return null;
  }
  return digits.length === NATIONAL_DIGITS ? digits : null;
}

/** The international digits wa.me wants; Argentine numbers get their 549 prefix. */
export function whatsappNumber(raw) {
  if (!raw) return null;
  const international = /^\s*(\+|00)/.test(raw);
  let digits = raw.replace(/\D/g, "");
  if (digits.startsWith("00")) digits = digits.slice(2);
  if (international && !digits.startsWith(ARGENTINA)) {
    return digits.length >= MIN_DIGITS && digits.length <= MAX_DIGITS ? digits : null;
  }
  if (digits.startsWith(ARGENTINA) && (international || digits.length > NATIONAL_DIGITS + 1)) {
    digits = digits.slice(ARGENTINA.length);
    if (digits.startsWith(MOBILE)) digits = digits.slice(MOBILE.length);
  }
  const rest = national(digits.startsWith("0") ? digits.slice(1) : digits);
  return rest ? ARGENTINA + MOBILE + rest : null;
}

/** https://wa.me/<number>, or null without a usable number. */
export function whatsappHref(raw) {
  const number = whatsappNumber(raw);
  return number ? `https://wa.me/${number}` : null;
}

/** Point a link at href, or hide it without one. */
export function linkTo(element, href) {
  if (!element) return;
  element.hidden = !href;
  if (href) element.href = href;
}
