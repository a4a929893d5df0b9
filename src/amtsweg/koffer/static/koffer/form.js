/* amtsweg Bürgerkoffer: one offline form (all steps of a procedure) with a signature pad.
 * KofferForm.attach(form, {onSave(values, identification, signaturePng), onCancel}) wires a form fragment.
 * Values are collected in the engine's JSON form: dates ISO, integers as numbers, booleans, lists for
 * multiple choice, empty optional fields as null. The server validates everything again. */
"use strict";
(function () {
  const MESSAGES = {
    required: "Bitte füllen Sie das Feld „%s“ aus.",
    identification: "Bitte geben Sie an, wie die Person identifiziert wurde.",
    consent: "Bitte bestätigen Sie die Einwilligung der Person.",
    signature: "Bitte lassen Sie die Person unterschreiben.",
  };

  function label(wrapper) {
    const node = wrapper.querySelector("legend, label");
    return node ? node.textContent.replace(/–\s*optional/, "").trim() : wrapper.dataset.kofferField;
  }

  function collect(form) {
    const values = {};
    const errors = [];
    for (const wrapper of form.querySelectorAll("[data-koffer-field]")) {
      const name = wrapper.dataset.kofferField;
      const kind = wrapper.dataset.kofferKind;
      const inputs = Array.from(wrapper.querySelectorAll("input, select, textarea"));
      const required = inputs.some((input) => input.required);
      let value = null;
      if (kind === "multichoice") {
        value = inputs.filter((input) => input.checked).map((input) => input.value);
        if (required && !value.length) errors.push([inputs[0], MESSAGES.required.replace("%s", label(wrapper))]);
      } else if (kind === "boolean") {
        value = inputs[0].checked;
        if (required && !value) errors.push([inputs[0], MESSAGES.required.replace("%s", label(wrapper))]);
      } else {
        const input = inputs.find((i) => i.type !== "radio") || inputs.find((i) => i.checked);
        const raw = input ? input.value.trim() : "";
        if (raw === "") {
          if (required) errors.push([inputs[0], MESSAGES.required.replace("%s", label(wrapper))]);
        } else if (kind === "integer" && /^-?\d+$/.test(raw)) {
          value = parseInt(raw, 10);
        } else {
          value = raw;
        }
      }
      values[name] = value;
    }
    return {values, errors};
  }

  function signaturePad(canvas, clearButton) {
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    function point(event) {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
    }
    function clear() {
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    }
    clear();
    context.lineWidth = 3;
    context.lineCap = "round";
    context.strokeStyle = "#111111";
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = point(event);
      context.beginPath();
      context.moveTo(x, y);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const [x, y] = point(event);
      context.lineTo(x, y);
      context.stroke();
      drawn = true;
    });
    const stop = () => { drawing = false; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    clearButton.addEventListener("click", clear);
    return {
      isEmpty: () => !drawn,
      png: () => canvas.toDataURL("image/png").slice("data:image/png;base64,".length),
    };
  }

  function showErrors(form, errors) {
    const box = form.querySelector("#koffer-form-errors");
    box.replaceChildren();
    const title = document.createElement("p");
    title.className = "kern-body kern-body--bold";
    title.textContent = "Bitte prüfen Sie die Angaben:";
    const list = document.createElement("ul");
    list.className = "kern-list";
    for (const [input, text] of errors) {
      const li = document.createElement("li");
      if (input && input.id) {
        const link = document.createElement("a");
        link.className = "kern-link";
        link.href = "#" + input.id;
        link.textContent = text;
        li.append(link);
      } else {
        li.textContent = text;
      }
      list.append(li);
    }
    box.append(title, list);
    box.hidden = false;
    box.focus();
  }

  window.KofferForm = {
    attach(form, {onSave, onCancel}) {
      const pad = signaturePad(form.querySelector("#koffer-signature"), form.querySelector("#koffer-signature-clear"));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const {values, errors} = collect(form);
        const ident = form.querySelector("input[name=koffer_identification]:checked");
        if (!ident) errors.push([form.querySelector("input[name=koffer_identification]"), MESSAGES.identification]);
        const consent = form.querySelector("#koffer-consent");
        if (!consent.checked) errors.push([consent, MESSAGES.consent]);
        if (pad.isEmpty()) errors.push([null, MESSAGES.signature]);
        if (errors.length) {
          showErrors(form, errors);
          return;
        }
        await onSave(values, ident.value, pad.png());
      });
      form.querySelector("#koffer-cancel").addEventListener("click", () => onCancel());
    },
  };
})();
