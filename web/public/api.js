// The console's JSON API as the pages call it: GET without a body, POST with
// one and the session's CSRF token; a signed-out answer goes to sign-in.

/**
 * `csrfToken()` gives the session's token (from /api/me). `background`: the
 * page refreshing by itself after a live event, which the server does not
 * count as use (an unattended page still times out).
 */
export function createApi(csrfToken) {
  return async (path, body, background = false) => {
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        ...(background ? { "x-background": "1" } : {}),
        ...(body === undefined
          ? {}
          : { "content-type": "application/json", "x-csrf-token": csrfToken() ?? "" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = await response.json().catch(() => ({ ok: false, error: "failed" }));
    if (response.status === 401) location.assign("/sign-in");
    return answer;
  };
}

/** How each role is said on the pages. */
export const ROLE_NAMES = {
  operator: "оператор",
  supervisor: "супервизор",
  editor: "редактор",
  publisher: "публикатор",
};

let toastTimer;
/** Says `text` in the page's #toast (a polite live region) for six seconds. */
export function toast(text) {
  const element = document.getElementById("toast");
  element.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    element.textContent = "";
  }, 6000);
}

/**
 * The header of a page: who is signed in, the link back to their own start
 * page where the page has them (#desk-link for the desk, #studio-link for
 * content staff) and signing out.
 */
export function setUpHeader(me, api) {
  document.getElementById("who").textContent = `${me.name} (${ROLE_NAMES[me.role]})`;
  const desk = me.role === "operator" || me.role === "supervisor";
  const deskLink = document.getElementById("desk-link");
  if (deskLink) deskLink.hidden = !desk;
  const studioLink = document.getElementById("studio-link");
  if (studioLink) studioLink.hidden = desk;
  document.getElementById("sign-out").addEventListener("click", async () => {
    await api("/api/sign-out", {});
    location.assign("/sign-in");
  });
}

/**
 * The member a page is for, from /api/me, with the page's header set up.
 * Undefined when signed out, or when they must set up a second factor
 * first (the console's page does that: gone there).
 */
export async function signedInMember(api) {
  const me = await api("/api/me");
  if (!me.ok) return undefined;
  if (me.mustSetUpTotp) {
    location.assign("/");
    return undefined;
  }
  setUpHeader(me, api);
  return me;
}
