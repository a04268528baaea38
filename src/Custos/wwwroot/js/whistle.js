// Anonymous reports (INC-4): before a form marked data-pow is sent, the browser asks for a puzzle and solves it
// (SHA-256 of "challenge:nonce" starting with enough zero bits), so that flooding costs work without naming anyone.
(() => {
  'use strict';
  const zeroBits = (bytes) => {
    let bits = 0;
    for (const b of bytes) {
      if (b === 0) { bits += 8; continue; }
      return bits + Math.clz32(b) - 24;
    }
    return bits;
  };

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-pow') || form.dataset.solved === '1') {
      return;
    }

    event.preventDefault();
    const submitter = event.submitter;
    const status = form.querySelector('.pow-status');
    const buttons = form.querySelectorAll('button[type="submit"]');
    buttons.forEach((b) => { b.disabled = true; });
    if (status) { status.textContent = form.dataset.powWorking || ''; }
    try {
      const response = await fetch('/api/v1/whistle/challenge', { method: 'POST', credentials: 'omit', headers: { Accept: 'application/json' } });
      if (!response.ok) { throw new Error(String(response.status)); }
      const puzzle = await response.json();
      const encoder = new TextEncoder();
      let nonce = 0;
      for (;;) {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(puzzle.challenge + ':' + nonce)));
        if (zeroBits(digest) >= puzzle.bits) { break; }
        nonce += 1;
      }

      form.querySelector('input[data-pow-challenge]').value = puzzle.challenge;
      form.querySelector('input[data-pow-nonce]').value = String(nonce);
      form.dataset.solved = '1';
      buttons.forEach((b) => { b.disabled = false; });
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    } catch {
      if (status) { status.textContent = form.dataset.powFailed || ''; }
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
})();
