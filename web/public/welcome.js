// Setting the password from a one-time link: the token is in the URL's
// fragment, which the browser never sends; it is posted once, then dropped
// from the address bar and history.
const token = location.hash.slice(1);
history.replaceState(null, "", "/welcome");
// Another link opened in this tab changes only the fragment: read it afresh.
window.addEventListener("hashchange", () => location.reload());
const form = document.getElementById("welcome");
const status = document.getElementById("status");
const PROBLEMS = {
  too_short: "не короче 12 символов",
  too_long: "не длиннее 256 символов",
  has_login: "без логина внутри",
  too_simple: "из разных символов, не из повторов",
};

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (form.password.value !== form.again.value) {
    status.textContent = "Пароли не совпадают.";
    return;
  }
  const response = await fetch("/api/welcome", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, password: form.password.value }),
  });
  const answer = await response.json().catch(() => ({ ok: false }));
  if (answer.ok) {
    location.assign("/");
  } else if (answer.error === "weak_password") {
    status.textContent = `Пароль не подходит: нужен пароль ${PROBLEMS[answer.problem] ?? "посложнее"}.`;
  } else {
    status.textContent = "Ссылка уже использована или устарела. Попросите новую у администратора.";
  }
});
