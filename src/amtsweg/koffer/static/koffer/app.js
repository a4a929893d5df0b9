/* amtsweg Bürgerkoffer app: setup, unlock, tours with their offline forms, the waiting list and the sync. */
"use strict";
(function () {
  const script = document.getElementById("koffer-script");
  const API = script.dataset.api;
  const FORMS_CACHE = "koffer-v1-forms";
  const BATCH = 5;
  const Store = window.KofferStore;
  const $ = (id) => document.getElementById(id);
  let config = null;
  let syncing = false;

  function say(text, variant) {
    const box = $("koffer-message");
    box.dataset.variant = variant || "info";
    box.textContent = text;
  }

  function show(section) {
    for (const id of ["koffer-setup", "koffer-unlock", "koffer-main", "koffer-wiped"]) $(id).hidden = id !== section;
  }

  function netStatus() {
    const node = $("koffer-net");
    const online = navigator.onLine;
    node.dataset.state = online ? "online" : "offline";
    node.textContent = online ? node.dataset.online : node.dataset.offline;
  }

  async function api(path, token, options) {
    const response = await fetch(API + path, {
      ...(options || {}),
      headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"},
      cache: "no-store",
      credentials: "omit",
    });
    let body = {};
    try {
      body = await response.json();
    } catch (error) {
      body = {error: {message: "Der Server hat unerwartet geantwortet (" + response.status + ")."}};
    }
    if (body.wipe) {
      await wipe(body.error ? body.error.message : "");
      throw new Error("wiped");
    }
    return {ok: response.ok, status: response.status, body};
  }

  async function wipe(message) {
    await Store.wipe();
    if (navigator.serviceWorker) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
    }
    config = null;
    $("koffer-wiped-text").textContent = message || "Alle Daten auf diesem Gerät wurden gelöscht.";
    show("koffer-wiped");
    say("Alle auf diesem Gerät gespeicherten Anträge und Schlüssel wurden gelöscht.", "danger");
  }

  async function cacheForms(cfg) {
    if (!window.caches) return;
    const cache = await caches.open(FORMS_CACHE);
    for (const tour of cfg.tours) {
      for (const procedure of tour.procedures) {
        try {
          await cache.add(procedure.url);
        } catch (error) {
          /* offline: the cached copy stays */
        }
      }
    }
  }

  async function refreshConfig() {
    if (!navigator.onLine) return;
    try {
      const result = await api("geraet/", await Store.token());
      if (result.ok) {
        config = result.body;
        await Store.saveConfig(config);
        await cacheForms(config);
      } else {
        say(result.body.error.message, "danger");
      }
    } catch (error) {
      /* network gone or wiped: keep the stored configuration */
    }
  }

  function renderTours() {
    const box = $("koffer-tours");
    box.replaceChildren();
    $("koffer-device").textContent = config
      ? config.authority + " · " + config.staff + " · Gerät " + config.device
      : "";
    if (!config || !config.tours.length) {
      const p = document.createElement("p");
      p.className = "kern-body";
      p.textContent = "Für dieses Gerät sind keine Touren mit Anträgen geplant.";
      box.append(p);
      return;
    }
    for (const tour of config.tours) {
      const section = document.createElement("section");
      section.className = "koffer-tour kern-stack";
      const heading = document.createElement("h3");
      heading.className = "kern-heading-small";
      heading.textContent = tour.title + " (" + tour.date + ")";
      section.setAttribute("aria-label", heading.textContent);
      const list = document.createElement("ul");
      for (const procedure of tour.procedures) {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "kern-btn kern-btn--secondary";
        const text = document.createElement("span");
        text.className = "kern-label";
        text.textContent = "Antrag erfassen: " + procedure.title;
        button.append(text);
        button.addEventListener("click", () => openForm(tour, procedure));
        li.append(button);
        list.append(li);
      }
      if (!tour.procedures.length) {
        const p = document.createElement("p");
        p.className = "kern-body";
        p.textContent = "Auf dieser Tour werden keine Anträge offline angeboten.";
        section.append(heading, p);
      } else {
        section.append(heading, list);
      }
      box.append(section);
    }
  }

  async function renderQueue() {
    const items = await Store.items();
    const list = $("koffer-queue");
    list.replaceChildren();
    const waiting = items.filter((item) => item.state === "waiting").length;
    $("koffer-queue-count").textContent = items.length
      ? waiting + " Antrag/Anträge warten auf Übertragung" + (items.length > waiting ? ", " + (items.length - waiting) + " abgelehnt" : "") + "."
      : "Keine Anträge auf diesem Gerät.";
    for (const item of items) {
      const li = document.createElement("li");
      li.dataset.state = item.state;
      li.dataset.id = item.id;
      const when = new Date(item.captured_at).toLocaleString("de-DE", {dateStyle: "medium", timeStyle: "short"});
      li.textContent = item.title + " – erfasst " + when + (item.state === "rejected" ? " – abgelehnt: " + item.message : " – wartet");
      list.append(li);
    }
  }

  async function loadForm(url) {
    try {
      const response = await fetch(url, {credentials: "omit"});
      if (response.ok) return response.text();
    } catch (error) {
      /* offline: use the cached form */
    }
    const cached = window.caches ? await caches.match(url, {ignoreSearch: true}) : null;
    if (!cached) throw new Error("not cached");
    return cached.text();
  }

  function closeForm() {
    $("koffer-capture").hidden = true;
    $("koffer-capture-body").replaceChildren();
  }

  async function openForm(tour, procedure) {
    let html;
    try {
      html = await loadForm(procedure.url);
    } catch (error) {
      say("Das Formular ist auf diesem Gerät nicht gespeichert. Bitte einmal mit Verbindung öffnen.", "danger");
      return;
    }
    const doc = new DOMParser().parseFromString(html, "text/html");
    const form = document.importNode(doc.getElementById("koffer-form"), true);
    $("koffer-capture-body").replaceChildren(form);
    $("koffer-capture-title").textContent = procedure.title + " – " + tour.title;
    $("koffer-capture").hidden = false;
    $("koffer-capture-title").focus();
    window.KofferForm.attach(form, {
      onCancel: closeForm,
      onSave: async (values, identification, signaturePng) => {
        const payload = {
          v: 1,
          idempotency_key: crypto.randomUUID(),
          procedure: procedure.key,
          tour: tour.id,
          captured_at: new Date().toISOString(),
          values,
          identification,
          consent: true,
          signature_png: signaturePng,
        };
        await Store.add(payload, procedure.title);
        closeForm();
        await renderQueue();
        say("Der Antrag ist verschlüsselt auf dem Gerät gespeichert. Er wird übertragen, sobald eine Verbindung besteht.");
        $("koffer-queue-title").scrollIntoView();
        if (navigator.onLine) sync();
      },
    });
  }

  async function sync() {
    if (syncing || !Store.isUnlocked()) return;
    if (!navigator.onLine) {
      say("Keine Verbindung. Die Anträge bleiben verschlüsselt auf dem Gerät und werden später übertragen.");
      return;
    }
    syncing = true;
    const filed = [];
    const rejected = [];
    try {
      const token = await Store.token();
      const waiting = (await Store.items()).filter((item) => item.state === "waiting");
      for (let i = 0; i < waiting.length; i += BATCH) {
        const batch = waiting.slice(i, i + BATCH);
        const items = await Promise.all(batch.map((item) => Store.wire(item)));
        const result = await api("sync/", token, {method: "POST", body: JSON.stringify({items})});
        if (!result.ok) {
          say(result.body.error.message, "danger");
          break;
        }
        for (const answer of result.body.results) {
          if (answer.status === "filed" || answer.status === "duplicate") {
            await Store.purge(answer.idempotency_key);
            filed.push(answer.case_number);
          } else {
            await Store.mark(answer.idempotency_key, "rejected", answer.message);
            rejected.push(answer.message);
          }
        }
      }
      if (rejected.length) {
        say(filed.length + " übertragen, " + rejected.length + " abgelehnt: " + rejected.join(" "), "danger");
      } else if (filed.length) {
        say(filed.length + " Antrag/Anträge übertragen. Vorgangsnummern: " + filed.join(", ") + ". Sie wurden vom Gerät gelöscht.");
      }
    } catch (error) {
      if (error.message !== "wiped") {
        say("Die Verbindung ist abgebrochen. Die übrigen Anträge bleiben auf dem Gerät und werden später übertragen.", "danger");
      }
    } finally {
      syncing = false;
      if (Store.isUnlocked()) await renderQueue();
    }
  }

  async function enterMain() {
    config = (await Store.config()) || config;
    show("koffer-main");
    renderTours();
    await renderQueue();
    await refreshConfig();
    if (!Store.isUnlocked()) return;
    renderTours();
    await sync();
  }

  $("koffer-setup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("koffer-token").value.trim();
    const pin = $("koffer-pin-new").value;
    if (!/^\d{6,}$/.test(pin)) return say("Die PIN besteht aus mindestens 6 Ziffern.", "danger");
    if (pin !== $("koffer-pin-repeat").value) return say("Die beiden PINs stimmen nicht überein.", "danger");
    if (!navigator.onLine) return say("Zum Einrichten braucht das Gerät einmal eine Verbindung.", "danger");
    let result;
    try {
      result = await api("geraet/", token);
    } catch (error) {
      return say("Der Server ist nicht erreichbar. Bitte später erneut versuchen.", "danger");
    }
    if (!result.ok) return say(result.body.error.message, "danger");
    config = result.body;
    await Store.setUp(token, pin);
    await Store.saveConfig(config);
    await cacheForms(config);
    event.target.reset();
    say("Das Gerät ist eingerichtet. Die Formulare der Touren sind für die Arbeit ohne Verbindung gespeichert.");
    await enterMain();
  });

  $("koffer-unlock-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const outcome = await Store.unlock($("koffer-pin").value);
    event.target.reset();
    if (outcome === "wiped") return wipe("Zu viele falsche PINs: alle Daten auf diesem Gerät wurden gelöscht.");
    if (!outcome) return say("Die PIN ist falsch.", "danger");
    say("Entsperrt.");
    await enterMain();
  });

  $("koffer-sync").addEventListener("click", () => sync());
  $("koffer-lock").addEventListener("click", () => {
    Store.lock();
    closeForm();
    config = null;
    show("koffer-unlock");
    say("Gesperrt. Zum Weiterarbeiten PIN eingeben.");
  });

  window.addEventListener("online", () => {
    netStatus();
    if (Store.isUnlocked()) refreshConfig().then(sync);
  });
  window.addEventListener("offline", netStatus);

  async function start() {
    netStatus();
    if (navigator.serviceWorker) {
      try {
        await navigator.serviceWorker.register(script.dataset.sw, {scope: script.dataset.scope});
      } catch (error) {
        say("Die Offline-Funktion konnte nicht eingerichtet werden.", "danger");
      }
    }
    show((await Store.isSetUp()) ? "koffer-unlock" : "koffer-setup");
  }
  start();
})();
