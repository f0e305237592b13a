// The signed-in session, shared by the clerks' pages (loaded before each page's own script):
// fetch with the CSRF token, the way to the sign-in page, the user bar. el() and t() are the page's.
/**
 * fetch for this page's API calls: state-changing requests carry the session's CSRF token (the
 * kyso_csrf cookie, in X-CSRF-Token; the server also checks their Origin); a lapsed session goes
 * to the sign-in page.
 */
function csrfToken() {
  const m = /(?:^|;\s*)kyso_csrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : "";
}
async function api(url, init = {}) {
  const method = (init.method || "GET").toUpperCase();
  const headers = { ...(init.headers || {}) };
  if (method !== "GET" && method !== "HEAD") headers["x-csrf-token"] = csrfToken();
  const res = await fetch(url, { ...init, headers, credentials: "same-origin" });
  if (res.status === 401 && !init.quiet) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new Error("signed out");
  }
  return res;
}
/** The signed-in user's name and a sign-out button, beside the language buttons. */
async function userBar() {
  const res = await api("api/v1/session", { quiet: true });
  if (!res.ok) return;
  const { principal } = await res.json();
  const box = document.querySelector("header .lang");
  const who = el("span", { class: "user", id: "user" }, principal.name, " ");
  const out = el("button", { type: "button", id: "logout", "data-i18n": "logout" }, t("logout"));
  out.addEventListener("click", async () => {
    await api("/logout", { method: "POST", headers: { accept: "application/json" }, quiet: true });
    location.href = "/login";
  });
  box.prepend(who, out, " ");
}
