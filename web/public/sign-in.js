// Sign-in: the password, then a code when the account has a second factor.
const form = document.getElementById("sign-in");
const status = document.getElementById("status");
const codeField = document.getElementById("code-field");
// The page's one task: the cursor starts where it begins.
form.login.focus();

const MESSAGES = {
  wrong: "Неверный логин, пароль или код.",
  too_many: "Слишком много неудачных попыток. Попробуйте через 15 минут.",
  code_needed: "Введите код из приложения-аутентификатора.",
  origin: "Запрос отклонён.",
  bad_request: "Проверьте логин и пароль.",
};

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  status.textContent = "";
  const body = {
    login: form.login.value.trim(),
    password: form.password.value,
    ...(codeField.hidden ? {} : { code: form.code.value.trim() }),
  };
  const response = await fetch("/api/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: "failed" }));
  if (answer.ok) {
    location.assign("/");
    return;
  }
  if (answer.error === "code_needed") {
    codeField.hidden = false;
    form.code.focus();
  }
  status.textContent = MESSAGES[answer.error] ?? "Не удалось войти. Попробуйте ещё раз.";
});
