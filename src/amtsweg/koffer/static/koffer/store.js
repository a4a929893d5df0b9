/* amtsweg Bürgerkoffer: the encrypted store on the device (IndexedDB + WebCrypto).
 *
 * - A random AES-GCM-256 device key encrypts every captured application and the device token.
 * - The device key is stored only wrapped (AES-GCM) with a key derived from the staff member's PIN
 *   (PBKDF2-SHA-256, random salt, ITERATIONS rounds). Unlocked, it lives in memory only, non-extractable.
 * - Each item: {id (idempotency key), procedure, title, captured_at, state, message, iv, data}; `data` holds
 *   the encrypted {payload, checksum}. Procedure title and time stay readable so the list shows what waits.
 * - wipe() deletes the database and the app's caches.
 */
"use strict";
(function () {
  const DB_NAME = "amtsweg-koffer";
  const DB_VERSION = 1;
  const ITERATIONS = 310000;
  const MAX_PIN_FAILURES = 10;
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let deviceKey = null;

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      const open = indexedDB.open(DB_NAME, DB_VERSION);
      open.onupgradeneeded = () => {
        const database = open.result;
        database.createObjectStore("meta", {keyPath: "name"});
        database.createObjectStore("items", {keyPath: "id"});
      };
      dbPromise = request(open);
    }
    return dbPromise;
  }

  async function tx(store, mode, fn) {
    const database = await db();
    const transaction = database.transaction(store, mode);
    const result = await fn(transaction.objectStore(store));
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
    return result;
  }

  const getMeta = (name) => tx("meta", "readonly", (s) => request(s.get(name)));
  const putMeta = (value) => tx("meta", "readwrite", (s) => request(s.put(value)));

  function b64(bytes) {
    let text = "";
    const view = new Uint8Array(bytes);
    for (let i = 0; i < view.length; i += 0x8000) text += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
    return btoa(text);
  }
  function unb64(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  async function pinKey(pin, salt, iterations) {
    const base = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      {name: "PBKDF2", hash: "SHA-256", salt, iterations},
      base,
      {name: "AES-GCM", length: 256},
      false,
      ["wrapKey", "unwrapKey"]
    );
  }

  async function encryptJson(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({name: "AES-GCM", iv}, deviceKey, enc.encode(JSON.stringify(value)));
    return {iv: b64(iv), data: b64(data)};
  }
  async function decryptJson(box) {
    const plain = await crypto.subtle.decrypt({name: "AES-GCM", iv: unb64(box.iv)}, deviceKey, unb64(box.data));
    return JSON.parse(dec.decode(plain));
  }

  /* Canonical JSON: keys sorted, no whitespace (the server compares it byte for byte). */
  function canonical(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    return "{" + Object.keys(value).sort().filter((k) => value[k] !== undefined)
      .map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  async function sha256(text) {
    const digest = await crypto.subtle.digest("SHA-256", enc.encode(text));
    return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  const Store = {
    async isSetUp() {
      return Boolean(await getMeta("keywrap"));
    },
    isUnlocked() {
      return deviceKey !== null;
    },
    async setUp(token, pin) {
      const key = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, true, ["encrypt", "decrypt"]);
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const wrapping = await pinKey(pin, salt, ITERATIONS);
      const wrapped = await crypto.subtle.wrapKey("raw", key, wrapping, {name: "AES-GCM", iv});
      await putMeta({name: "keywrap", salt: b64(salt), iv: b64(iv), wrapped: b64(wrapped), iterations: ITERATIONS});
      await putMeta({name: "failures", count: 0});
      // From here on the key is used non-extractable: unwrap it as such.
      deviceKey = await crypto.subtle.unwrapKey("raw", wrapped, wrapping, {name: "AES-GCM", iv},
        {name: "AES-GCM"}, false, ["encrypt", "decrypt"]);
      await putMeta({name: "token", ...(await encryptJson({token}))});
    },
    /* Returns true when unlocked; false for a wrong PIN; "wiped" after too many wrong PINs. */
    async unlock(pin) {
      const wrap = await getMeta("keywrap");
      if (!wrap) return false;
      const wrapping = await pinKey(pin, unb64(wrap.salt), wrap.iterations);
      try {
        deviceKey = await crypto.subtle.unwrapKey("raw", unb64(wrap.wrapped), wrapping,
          {name: "AES-GCM", iv: unb64(wrap.iv)}, {name: "AES-GCM"}, false, ["encrypt", "decrypt"]);
      } catch (error) {
        const failures = ((await getMeta("failures")) || {count: 0}).count + 1;
        if (failures >= MAX_PIN_FAILURES) {
          await Store.wipe();
          return "wiped";
        }
        await putMeta({name: "failures", count: failures});
        return false;
      }
      await putMeta({name: "failures", count: 0});
      return true;
    },
    lock() {
      deviceKey = null;
    },
    async token() {
      return (await decryptJson(await getMeta("token"))).token;
    },
    async saveConfig(config) {
      await putMeta({name: "config", ...(await encryptJson(config))});
    },
    async config() {
      const box = await getMeta("config");
      return box ? decryptJson(box) : null;
    },
    /* Seal one application: canonical payload, its SHA-256, encrypted at rest. */
    async add(payload, title) {
      const text = canonical(payload);
      const checksum = await sha256(text);
      const box = await encryptJson({payload: text, checksum});
      const item = {
        id: payload.idempotency_key, procedure: payload.procedure, title, captured_at: payload.captured_at,
        state: "waiting", message: "", ...box,
      };
      await tx("items", "readwrite", (s) => request(s.put(item)));
      return item;
    },
    async items() {
      const all = await tx("items", "readonly", (s) => request(s.getAll()));
      return all.sort((a, b) => (a.captured_at < b.captured_at ? -1 : 1));
    },
    async wire(item) {
      const sealed = await decryptJson(item);
      return {idempotency_key: item.id, checksum: sealed.checksum, payload: sealed.payload};
    },
    async mark(id, state, message) {
      await tx("items", "readwrite", async (s) => {
        const item = await request(s.get(id));
        if (item) {
          item.state = state;
          item.message = message || "";
          await request(s.put(item));
        }
      });
    },
    async purge(id) {
      await tx("items", "readwrite", (s) => request(s.delete(id)));
    },
    async wipe() {
      deviceKey = null;
      if (dbPromise) {
        (await dbPromise).close();
        dbPromise = null;
      }
      await new Promise((resolve) => {
        const del = indexedDB.deleteDatabase(DB_NAME);
        del.onsuccess = del.onerror = del.onblocked = () => resolve();
      });
      if (window.caches) {
        for (const name of await caches.keys()) await caches.delete(name);
      }
    },
    canonical,
    sha256,
  };
  window.KofferStore = Store;
})();
