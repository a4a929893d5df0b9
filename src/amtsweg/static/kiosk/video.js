/*
 * Video consultation (WebRTC) with signalling through the platform: JSON polling endpoints, no third-party
 * service. The terminal calls (offer), the staff workstation answers. ICE servers come from the setting
 * KIOSK_ICE_SERVERS (empty by default: host candidates only, enough inside one network).
 * Root element: #video-app with data-role ("terminal" | "staff"), data-signal-url, data-status-url (terminal),
 * data-ice-servers (JSON). When the call is connected, #video-app gets data-connected="true".
 */
(function () {
  "use strict";

  var app, role, signalUrl, statusUrl, iceServers, stateEl;
  var pc = null;
  var localStream = null;
  var lastSignal = 0;
  var remoteSet = false;
  var pendingCandidates = [];
  var finished = false;
  var offerSent = false;
  var timers = [];

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(text) {
    if (stateEl) { stateEl.textContent = text; }
  }

  function send(kind, payload) {
    return fetch(signalUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify({kind: kind, payload: payload || {}})
    });
  }

  function stop(text) {
    if (finished) { return; }
    finished = true;
    timers.forEach(function (t) { window.clearInterval(t); });
    if (pc) { pc.close(); }
    if (localStream) { localStream.getTracks().forEach(function (t) { t.stop(); }); }
    app.setAttribute("data-connected", "false");
    say(text || "Das Gespräch ist beendet.");
  }

  function createPeer() {
    pc = new RTCPeerConnection({iceServers: iceServers});
    if (localStream) {
      localStream.getTracks().forEach(function (track) { pc.addTrack(track, localStream); });
    }
    pc.addEventListener("icecandidate", function (event) {
      if (event.candidate) { send("candidate", event.candidate.toJSON()); }
    });
    pc.addEventListener("track", function (event) {
      var remote = document.getElementById("remote-video");
      if (remote && remote.srcObject !== event.streams[0]) { remote.srcObject = event.streams[0]; }
    });
    pc.addEventListener("connectionstatechange", function () {
      if (pc.connectionState === "connected") {
        app.setAttribute("data-connected", "true");
        say("Verbunden. Sie sprechen jetzt mit einer Person.");
      } else if (pc.connectionState === "failed") {
        say("Die Verbindung ist unterbrochen. Bitte versuchen Sie es erneut.");
      }
    });
  }

  function flushCandidates() {
    pendingCandidates.splice(0).forEach(function (c) { pc.addIceCandidate(c).catch(function () { return null; }); });
  }

  function handle(signal) {
    var payload = signal.payload || {};
    if (signal.kind === "bye") {
      stop("Das Gespräch wurde beendet.");
    } else if (signal.kind === "offer" && role === "staff") {
      if (!pc) { createPeer(); }
      pc.setRemoteDescription(payload).then(function () {
        remoteSet = true;
        flushCandidates();
        return pc.createAnswer();
      }).then(function (answer) {
        return pc.setLocalDescription(answer);
      }).then(function () {
        send("answer", {type: pc.localDescription.type, sdp: pc.localDescription.sdp});
      });
    } else if (signal.kind === "answer" && role === "terminal" && pc) {
      pc.setRemoteDescription(payload).then(function () { remoteSet = true; flushCandidates(); });
    } else if (signal.kind === "candidate") {
      if (pc && remoteSet) {
        pc.addIceCandidate(payload).catch(function () { return null; });
      } else {
        pendingCandidates.push(payload);
      }
    }
  }

  var polling = false;
  function pollSignals() {
    if (finished || polling) { return; }
    polling = true;
    fetch(signalUrl + "?nach=" + lastSignal, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) {
      polling = false;
      if (!data || finished) { return; }
      (data.signals || []).forEach(function (signal) {
        lastSignal = Math.max(lastSignal, signal.id);
        handle(signal);
      });
      if (data.status === "beendet" || data.status === "abgebrochen") { stop(); }
    }).catch(function () { polling = false; });
  }

  function call() {
    if (offerSent) { return; }
    offerSent = true;
    createPeer();
    pc.createOffer().then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      send("offer", {type: pc.localDescription.type, sdp: pc.localDescription.sdp});
    });
    timers.push(window.setInterval(pollSignals, 700));
  }

  function pollStatus() {
    if (finished) { return; }
    fetch(statusUrl, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || finished) { return; }
        if (data.status === "angenommen") {
          if (!offerSent) {
            say("Eine Mitarbeiterin oder ein Mitarbeiter hat Ihre Anfrage angenommen. Die Verbindung wird aufgebaut …");
          }
          call();
        } else if (data.status === "wartet") {
          say("Bitte warten Sie einen Moment. Sie sind an Position " + data.position + " in der Warteschlange.");
        } else {
          stop("Die Anfrage wurde beendet.");
        }
      }).catch(function () { return null; });
  }

  function start() {
    app = document.getElementById("video-app");
    if (!app) { return; }
    role = app.getAttribute("data-role");
    signalUrl = app.getAttribute("data-signal-url");
    statusUrl = app.getAttribute("data-status-url");
    stateEl = document.getElementById("video-state");
    try { iceServers = JSON.parse(app.getAttribute("data-ice-servers") || "[]"); } catch (e) { iceServers = []; }
    app.setAttribute("data-connected", "false");
    var media = navigator.mediaDevices && navigator.mediaDevices.getUserMedia
      ? navigator.mediaDevices.getUserMedia({video: true, audio: true})
      : Promise.reject(new Error("no media"));
    media.then(function (stream) {
      localStream = stream;
      var local = document.getElementById("local-video");
      if (local) { local.srcObject = stream; }
    }).catch(function () {
      say("Kamera oder Mikrofon sind nicht verfügbar. Das Gespräch läuft ohne Bild und Ton von dieser Seite.");
    }).then(function () {
      if (role === "terminal") {
        pollStatus();
        timers.push(window.setInterval(pollStatus, 1000));
      } else {
        timers.push(window.setInterval(pollSignals, 700));
      }
    });
    // A call keeps the kiosk session alive (no inactivity wipe while someone is talking).
    timers.push(window.setInterval(function () {
      if (app.getAttribute("data-connected") === "true") {
        document.dispatchEvent(new Event("aw-kiosk-activity"));
      }
    }, 3000));
  }

  document.addEventListener("DOMContentLoaded", start);
})();
