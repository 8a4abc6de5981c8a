/**
 * The admin's only script, served at /assets/admin.js (the CSP allows no inline code). Plain DOM,
 * no framework: it calls the JSON admin API with the session cookie plus the CSRF token from
 * <meta name="csrf-token">, and on the run page polls GET /admin/runs/{id}. Text from the server
 * is only ever set with textContent, never parsed as HTML.
 */
export const ADMIN_JS = `'use strict';
(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var page = document.body.getAttribute('data-page');

  function api(method, path) {
    return fetch(path, {
      method: method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'x-csrf-token': csrf || '' },
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) {
          var error = new Error(body && body.error ? body.error : 'Request failed (' + res.status + ')');
          error.status = res.status;
          throw error;
        }
        return body;
      });
    });
  }

  function say(text, isError) {
    var line = document.getElementById('admin-status');
    if (!line) return;
    line.textContent = text;
    line.classList.toggle('error', !!isError);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function size(n) {
    return n < 1024 ? n + ' bytes' : (n / 1024).toFixed(1) + ' KB';
  }

  function clock(iso) {
    return iso ? new Date(iso).toISOString().slice(11, 19) + ' UTC' : '';
  }

  // ---------------------------------------------------------------- dashboard
  function dashboard() {
    Array.prototype.forEach.call(document.querySelectorAll('.js-only'), function (node) { node.hidden = false; });

    var addForm = document.getElementById('add-zip');
    if (addForm) addForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = document.getElementById('new-zip');
      var zip = (input.value || '').trim();
      if (!/^[0-9]{5}$/.test(zip)) { say('A ZIP code is exactly five digits.', true); input.focus(); return; }
      var button = addForm.querySelector('button');
      button.disabled = true;
      say('Adding ' + zip + '…');
      api('POST', '/admin/activate?zip=' + zip).then(function () {
        window.location.assign('/admin?added=' + zip + '#zip-' + zip);
      }, function (error) { button.disabled = false; say(error.message, true); });
    });

    document.addEventListener('change', function (event) {
      var box = event.target;
      if (!(box instanceof HTMLInputElement)) return;
      var action = box.getAttribute('data-action');
      var zip = box.getAttribute('data-zip');
      if (!action || !zip) return;
      var wanted = box.checked;
      box.disabled = true;
      var request;
      if (action === 'active') {
        request = api('POST', '/admin/' + (wanted ? 'activate' : 'deactivate') + '?zip=' + zip).then(function () {
          say(zip + (wanted ? ' is active: redrawn on every scheduled run.' : ' is inactive: no longer scheduled.'));
        });
      } else if (action === 'format') {
        var format = box.getAttribute('data-format');
        request = api('POST', '/admin/formats/' + (wanted ? 'add' : 'remove') + '?zip=' + zip + '&format=' + format).then(function (body) {
          var on = body.formats || [];
          Array.prototype.forEach.call(document.querySelectorAll('input[data-action="format"][data-zip="' + zip + '"]'), function (other) {
            other.checked = on.indexOf(other.getAttribute('data-format')) >= 0;
          });
          say(zip + ' formats: ' + on.join(', ') + '.');
        });
      } else return;
      request.catch(function (error) {
        box.checked = !wanted;
        say(error.message, true);
      }).then(function () { box.disabled = false; });
    });

    var everywhere = document.querySelector('button[data-action="logout-everywhere"]');
    if (everywhere) everywhere.addEventListener('click', function () {
      everywhere.disabled = true;
      api('POST', '/admin/sessions/revoke').then(function () {
        window.location.assign('/admin');
      }, function (error) { everywhere.disabled = false; say(error.message, true); });
    });

    document.addEventListener('click', function (event) {
      var button = event.target instanceof Element ? event.target.closest('button[data-action="generate"]') : null;
      if (!button) return;
      var zip = button.getAttribute('data-zip');
      button.disabled = true;
      say('Starting a run for ' + zip + '…');
      api('POST', '/admin/generate?zip=' + zip).then(function (body) {
        if (body.run_id) window.location.assign('/admin/run/' + body.run_id);
        else { button.disabled = false; say('Queued, but no run record was returned.', true); }
      }, function (error) { button.disabled = false; say(error.message, true); });
    });
  }

  // ---------------------------------------------------------------- run view
  var STATUS_TEXT = { queued: 'Queued', fetching: 'Fetching weather', rendering: 'Rendering', done: 'Done', failed: 'Failed' };
  var STATUS_CLASS = { queued: 'working', fetching: 'working', rendering: 'working', done: 'done', failed: 'failed' };

  var MARK = { done: '✓', failed: '✗', skipped: '–' };

  function stage(name, state, detail) {
    var item = document.querySelector('[data-stage="' + name + '"]');
    if (!item) return;
    item.setAttribute('data-state', state);
    var mark = item.querySelector('.mark');
    if (mark) mark.textContent = MARK[state] || '';
    var d = item.querySelector('.detail');
    if (d) d.textContent = detail;
  }

  function renderRun(view) {
    var badge = document.getElementById('run-status');
    badge.textContent = STATUS_TEXT[view.status] || view.status;
    badge.className = 'badge ' + (STATUS_CLASS[view.status] || 'working');
    badge.setAttribute('data-status', view.status);

    // The server computes each stage's state and text (runStages in pages/run.tsx), for the page and for this poll alike.
    var stages = view.stages;
    stage('queued', view.started_at ? 'done' : 'active', view.started_at ? 'Started ' + clock(view.started_at) : '');
    ['weather', 'dispatched', 'images'].forEach(function (name) { stage(name, stages[name][0], stages[name][1]); });
    var bar = document.getElementById('images-progress');
    if (bar) { bar.max = Math.max(stages.total, 1); bar.value = stages.count; bar.textContent = stages.count + ' of ' + stages.total; }

    var errorBox = document.getElementById('run-errors');
    var errorList = errorBox.querySelector('ul');
    errorBox.hidden = view.errors.length === 0;
    errorList.replaceChildren.apply(errorList, view.errors.map(function (e) {
      var item = el('li');
      item.appendChild(el('div', { class: 'what' }, e.stage + ': ' + e.error_type));
      item.appendChild(el('div', null, e.message));
      item.appendChild(el('div', { class: 'meta' }, 'attempt ' + e.attempts + ' · ' + (e.outcome === 'retry' ? 'will be retried' : 'sent to the dead-letter queue') + ' · ' + clock(e.at)));
      return item;
    }));

    var imageBox = document.getElementById('run-images');
    var imageList = imageBox.querySelector('ul');
    imageBox.hidden = view.images.length === 0;
    view.images.forEach(function (image) {
      var id = 'image-' + image.format;
      var src = image.url + '?v=' + encodeURIComponent(image.at);
      var existing = document.getElementById(id);
      if (existing) {
        var img = existing.querySelector('img');
        if (img.getAttribute('src') !== src) img.setAttribute('src', src);
        return;
      }
      var item = el('li', { id: id });
      var figure = el('figure');
      var link = el('a', { href: image.url });
      link.appendChild(el('img', { src: src, alt: 'The new ' + image.format + ' picture for ZIP ' + view.zip, class: 'pixel', 'data-format': image.format }));
      figure.appendChild(link);
      figure.appendChild(el('figcaption', null, image.format + ' · ' + size(image.bytes) + ' · ' + clock(image.at)));
      item.appendChild(figure);
      imageList.appendChild(item);
    });
    // Same order as the jobs (and the server-rendered page), whatever order they finished in.
    Array.prototype.slice.call(imageList.children)
      .sort(function (a, b) { return view.formats.indexOf(a.id.slice(6)) - view.formats.indexOf(b.id.slice(6)); })
      .forEach(function (item) { imageList.appendChild(item); });
  }

  function runView() {
    var root = document.getElementById('run');
    var runId = root.getAttribute('data-run-id');
    var started = Date.now();
    var delay = 1000;
    function poll() {
      api('GET', '/admin/runs/' + runId).then(function (view) {
        renderRun(view);
        delay = 1000;
        if (view.status === 'done' || view.status === 'failed') { say(view.status === 'done' ? 'Run finished.' : 'Run failed: see the errors below.', view.status === 'failed'); return; }
        if (Date.now() - started > 10 * 60 * 1000) { say('Stopped watching after 10 minutes: reload to check again.'); return; }
        setTimeout(poll, delay);
      }, function (error) {
        if (error.status === 401) { say('Your session has ended: log in again at /admin.', true); return; }
        delay = Math.min(delay * 2, 10000);
        say('Could not refresh (' + error.message + '); retrying…', true);
        setTimeout(poll, delay);
      });
    }
    var initial = root.getAttribute('data-status');
    if (initial !== 'done' && initial !== 'failed') { say('Watching the run…'); setTimeout(poll, 500); }
  }

  // ---------------------------------------------------------------- dead letters
  function deadLetters() {
    Array.prototype.forEach.call(document.querySelectorAll('.js-only'), function (node) { node.hidden = false; });
    document.addEventListener('click', function (event) {
      var button = event.target instanceof Element ? event.target.closest('button[data-action="replay"]') : null;
      if (!button) return;
      var item = button.closest('[data-dead-letter]');
      var result = item.querySelector('.replay-result');
      button.disabled = true;
      result.textContent = 'Replaying…';
      api('POST', '/admin/dlq/replay?id=' + encodeURIComponent(button.getAttribute('data-id'))).then(function (body) {
        // The dead letter is gone (deleted once sent): the button gives way to the new run.
        var link = el('a', { href: '/admin/run/' + body.run_id, class: 'button-link new-run-link' }, 'Follow the new run');
        button.replaceWith(link);
        result.textContent = 'Replayed: the message is back in ' + body.queue + ' as a new run.';
        link.focus();
      }, function (error) {
        button.disabled = false;
        result.textContent = 'Not replayed: ' + error.message;
        result.classList.add('error');
      });
    });
  }

  if (page === 'admin') dashboard();
  if (page === 'dead-letters') deadLetters();
  if (page === 'run') runView();
})();
`;
