// A new offer (or a chat assigned straight away) must reach an agent who is
// looking at another tab: a desktop notification when the browser allows
// it, and a short beep made with WebAudio (no sound file to serve).
// Browsers let a page ask for notifications and start audio only after the
// person did something, so `prepare()` runs from the presence switch.

export function offerAlerts() {
  /** @type {AudioContext | undefined} */
  let audio;

  function beep() {
    try {
      audio ??= new AudioContext();
      const now = audio.currentTime;
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.setValueAtTime(0.15, now);
      volume.gain.exponentialRampToValueAtTime(0.001, now + 0.25);
      tone.connect(volume).connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.25);
    } catch {
      // No audio device (or audio blocked): the notification and the list still show it.
    }
  }

  /** @param {string} title @param {string} body @param {string} tag */
  function notify(title, body, tag) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    const note = new Notification(title, { body, tag });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  }

  return {
    /** From a user gesture: asks for notification permission once, and unlocks audio. */
    prepare() {
      if ('Notification' in window && Notification.permission === 'default') {
        void Notification.requestPermission();
      }
      try {
        audio ??= new AudioContext();
        void audio.resume();
      } catch {
        // No WebAudio here: alerts stay silent.
      }
    },
    /** @param {string} title @param {string} body @param {string} tag one per session, so repeats replace */
    alert(title, body, tag) {
      beep();
      notify(title, body, tag);
    },
  };
}
