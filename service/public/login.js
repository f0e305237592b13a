// The sign-in page: Vietnamese by default, English on request. The form posts itself (no script
// needed to sign in); this only translates the words and the error.
"use strict";
const T = {
  vi: {
    title: "Đăng nhập hệ thống Kyso", name: "Tên đăng nhập", password: "Mật khẩu", submit: "Đăng nhập",
    footer: "Chỉ cán bộ được cấp tài khoản mới được truy cập. Mọi thao tác đều được ghi lại.",
    invalid: "Sai tên đăng nhập hoặc mật khẩu.", locked: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {s} giây.", csrf: "Phiên đăng nhập đã hết hạn, vui lòng thử lại.",
  },
  en: {
    title: "Sign in to Kyso", name: "User name", password: "Password", submit: "Sign in",
    footer: "Only staff with an account may sign in. Every action is recorded.",
    invalid: "Wrong user name or password.", locked: "Too many failed attempts. Try again in {s} seconds.", csrf: "The sign-in form expired; please try again.",
  },
};
// Vietnamese unless the user chose English here before (remembered), whatever the browser's locale.
let lang = localStorage.getItem("kyso-lang") === "en" ? "en" : "vi";

function apply() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = T[lang][e.dataset.i18n];
  const err = document.getElementById("error");
  if (err.dataset.error) err.textContent = T[lang][err.dataset.error].replace("{s}", err.dataset.retry || "");
  for (const b of document.querySelectorAll(".lang button")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
}

for (const b of document.querySelectorAll(".lang button"))
  b.addEventListener("click", () => {
    lang = b.dataset.lang;
    localStorage.setItem("kyso-lang", lang);
    apply();
  });
apply();
