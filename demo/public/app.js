/* global document, window, DOMParser */
import { makeRecipient, decryptAnswer } from './certificate.js';
import { childRows, hex, base64ToBytes, SYSTEM_NAMES } from './decode.js';
import { playCenc, playHls } from './players.js';
import { buildRequest, PRESETS, SYSTEMS } from './requests.js';

const $ = (id) => document.getElementById(id);
const CPIX = 'urn:dashif:org:cpix';
const PSKC = 'urn:ietf:params:xml:ns:keyprov:pskc';
let recipient;

function element(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, attrs);
  e.append(...children);
  return e;
}

function table(rows) {
  return element(
    'table',
    {},
    ...rows.map(([k, v]) =>
      element(
        'tr',
        {},
        element('td', { textContent: k }),
        element('td', {}, typeof v === 'object' && v !== null ? element('pre', { textContent: v.pre }) : String(v)),
      ),
    ),
  );
}

async function showSettings() {
  const settings = await (await fetch('/demo/settings')).json();
  const rows = [
    ['server', settings.server],
    ['SPEKE versions', settings.spekeVersions.join(', ')],
    ['key URL prefix', settings.keyUrlPrefix],
    ['key store', settings.keyStore.kind === 's3' ? `S3 bucket ${settings.keyStore.bucket}` : 'data folder'],
    ['master secret', settings.masterSecret === 'SPEKE_MASTER_SECRET' ? 'from SPEKE_MASTER_SECRET (not shown)' : 'file in the data folder (not shown)'],
    ['key derivation', settings.keyDerivation],
    ['ClearKey license', settings.clearKeyLicense],
    [
      'limits',
      Object.entries(settings.limits)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    ['DRM systems', settings.drmSystems.map((s) => `${s.name} (${s.systemId.slice(0, 8)}…)`).join(', ')],
    ['v2.1 HDCP levels', settings.protectionLevels.hdcp || 'none'],
    ['v2.1 robustness', settings.protectionLevels.robustness || 'none'],
    ['v2.1 allowed CPC', settings.protectionLevels.allowedCpc || 'none'],
  ];
  $('settings-list').replaceChildren(...rows.flatMap(([k, v]) => [element('dt', { textContent: k }), element('dd', { textContent: v })]));
}

function setupForm() {
  $('preset').append(...PRESETS.map((p, i) => element('option', { value: String(i), textContent: p.name })));
  $('systems').append(
    ...SYSTEMS.map((s) =>
      element(
        'label',
        {},
        element('input', { type: 'checkbox', value: s.id, name: 'system' }),
        `${s.name} `,
        element('code', { className: 'muted', textContent: s.id.slice(0, 8) }),
      ),
    ),
  );
  const applyPreset = () => {
    const preset = PRESETS[Number($('preset').value)];
    $('version').value = preset.version;
    if (preset.scheme) $('scheme').value = preset.scheme;
    if (preset.signalling) $('signalling').value = preset.signalling;
    $('tracks').value = preset.tracks;
    $('periods').value = preset.periods ?? 'none';
    for (const box of document.querySelectorAll('input[name=system]')) box.checked = preset.systems.includes(box.value);
    refreshRequest();
  };
  $('preset').addEventListener('change', applyPreset);
  for (const id of ['version', 'scheme', 'signalling', 'tracks', 'periods', 'content-id', 'systems']) $(id).addEventListener('change', () => refreshRequest());
  $('encrypted').addEventListener('change', () => refreshRequest());
  $('request-form').addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  applyPreset();
}

async function refreshRequest() {
  let certificate;
  if ($('encrypted').checked) {
    $('request-status').textContent = 'making an RSA-2048 certificate…';
    recipient ??= await makeRecipient();
    certificate = recipient.certificate;
    $('request-status').textContent = '';
  }
  $('request-body').value = buildRequest({
    version: $('version').value,
    contentId: $('content-id').value,
    systems: [...document.querySelectorAll('input[name=system]:checked')].map((b) => b.value),
    scheme: $('scheme').value,
    signalling: $('signalling').value,
    tracks: $('tracks').value,
    periods: $('periods').value,
    certificate,
  });
}

async function send() {
  const version = $('version').value;
  $('answer-status').textContent = '…';
  const res = await fetch('/copyProtection', {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', ...(version === '1' ? {} : { 'X-Speke-Version': version === '2.1' ? '2.1' : '2.0' }) },
    body: $('request-body').value,
  });
  const text = await res.text();
  $('answer-status').textContent =
    `${res.status} ${res.statusText}${res.headers.get('X-Speke-Version') ? ` (X-Speke-Version ${res.headers.get('X-Speke-Version')})` : ''}`;
  $('answer-status').className = res.ok ? 'ok' : 'bad';
  $('answer-body').textContent = text;
  $('answer-body').dataset.status = String(res.status);
  if (!res.ok) {
    $('decoded').replaceChildren(element('p', { className: 'error', textContent: `The server refused the request: ${text}` }));
    return;
  }
  await showDecoded(new DOMParser().parseFromString(text, 'application/xml'));
}

async function showDecoded(doc) {
  const cards = [];
  const decrypted = first(doc, 'DeliveryData') && recipient ? await decryptAnswer(doc, recipient.privateKey).catch((e) => e) : undefined;
  for (const contentKey of doc.getElementsByTagNameNS(CPIX, 'ContentKey')) {
    const kid = contentKey.getAttribute('kid');
    const rows = [];
    const plain = contentKey.getElementsByTagNameNS(PSKC, 'PlainValue')[0];
    if (plain) rows.push(['PlainValue', `${hex(base64ToBytes(plain.textContent))} (${base64ToBytes(plain.textContent).length} bytes)`]);
    if (contentKey.getElementsByTagNameNS(PSKC, 'EncryptedValue')[0]) {
      rows.push(['EncryptedValue', 'AES-256-CBC under the document key, which is RSA-OAEP-wrapped for our certificate']);
      if (decrypted instanceof Error) rows.push(['decrypted', `failed: ${decrypted.message}`]);
      else if (decrypted?.get(kid.toLowerCase())) {
        const { key, macOk } = decrypted.get(kid.toLowerCase());
        rows.push(['decrypted in this page', `${hex(key)} (${key.length} bytes), ValueMAC ${macOk ? 'verified' : 'NOT verified'}`]);
      }
    }
    for (const attr of ['commonEncryptionScheme', 'explicitIV']) if (contentKey.getAttribute(attr)) rows.push([attr, contentKey.getAttribute(attr)]);
    const trackType = [...doc.getElementsByTagNameNS(CPIX, 'ContentKeyUsageRule')]
      .find((r) => r.getAttribute('kid') === kid)
      ?.getAttribute('intendedTrackType');
    if (trackType) rows.push(['intendedTrackType', trackType]);
    rows.push(...hdcpRows(contentKey.getElementsByTagNameNS(CPIX, 'HDCPData')[0]));
    cards.push(card('Content key', kid, rows));
  }
  const periods = [...doc.getElementsByTagNameNS(CPIX, 'ContentKeyPeriod')];
  if (periods.length > 0) cards.push(card('Key periods', `${periods.length} (echoed as sent)`, periods.flatMap(periodRows)));
  for (const system of doc.getElementsByTagNameNS(CPIX, 'DRMSystem')) {
    const systemId = system.getAttribute('systemId').toLowerCase();
    const rows = [];
    if (system.getAttribute('HLSAllowedCPC')) rows.push(['HLSAllowedCPC (ALLOWED-CPC)', system.getAttribute('HLSAllowedCPC')]);
    for (const child of system.children) {
      const label = child.localName + (child.getAttribute('playlist') ? ` (${child.getAttribute('playlist')})` : '');
      if (child.getAttribute('robustness')) rows.push([`${child.localName} robustness`, child.getAttribute('robustness')]);
      if (!child.textContent.trim()) continue;
      try {
        if (['KeyFormat', 'KeyFormatVersions'].includes(child.localName)) rows.push([label, new TextDecoder().decode(base64ToBytes(child.textContent))]);
        else rows.push([label, ''], ...childRows(child.localName, child.textContent.trim()).map(([k, v]) => [`  ${k}`, v]));
      } catch (error) {
        rows.push([label, `could not decode: ${error.message}`]);
      }
    }
    cards.push(card(`${SYSTEM_NAMES[systemId] ?? 'DRM system'} `, `${systemId.slice(0, 8)}… kid ${system.getAttribute('kid')}`, rows));
  }
  $('decoded').replaceChildren(...cards);
}

const first = (doc, local) => doc.getElementsByTagNameNS(CPIX, local)[0];

/** SPEKE v2.1 HDCPData of a content key: the HLS HDCP-LEVEL and the DASH OutputProtection fragment, decoded. */
function hdcpRows(hdcp) {
  if (!hdcp) return [];
  const rows = [['HDCPData HLSHDCPLevel', hdcp.getAttribute('HLSHDCPLevel') ?? '(none)']];
  const data = hdcp.getElementsByTagNameNS(CPIX, 'HDCPOutputProtectionData')[0];
  if (data) rows.push(['HDCPOutputProtectionData', { pre: new TextDecoder().decode(base64ToBytes(data.textContent.trim())) }]);
  return rows;
}

/** One ContentKeyPeriod: its attributes as sent, and the length of a live or VOD period. */
function periodRows(period) {
  const id = period.getAttribute('id') ?? '(no id)';
  const rows = [...period.attributes].filter((a) => a.name !== 'id').map((a) => [`${id} @${a.name}`, a.value]);
  const start = Date.parse(period.getAttribute('start') ?? '');
  const end = Date.parse(period.getAttribute('end') ?? '');
  if (!Number.isNaN(start) && !Number.isNaN(end)) rows.push([`${id} length`, `${(end - start) / 1000} s (live)`]);
  if (period.getAttribute('startOffset')) rows.push([`${id} kind`, 'VOD (offsets into the title)']);
  return rows.length > 0 ? rows : [[id, '']];
}

function card(title, subtitle, rows) {
  return element('div', { className: 'payload' }, element('h4', {}, title, ' ', element('code', { textContent: subtitle })), table(rows));
}

async function setupPlayers() {
  const samples = await (await fetch('/demo/samples')).json();
  if (!samples.available) {
    $('samples-hint').textContent = samples.hint;
    return;
  }
  $('samples-hint').textContent =
    `HLS: content ID "${samples.hls.contentId}", key URL ${samples.hls.keyUrl}. CENC: content ID "${samples.cenc.contentId}", video KID ${samples.cenc.video.kid}, audio KID ${samples.cenc.audio.kid}, license ${samples.cenc.licenseUrl}.`;
  $('play-hls').disabled = false;
  $('play-cenc').disabled = false;
  $('play-hls').addEventListener('click', () => playHls($('video-hls'), $('status-hls'), $('log-hls'), samples.hls.playlist).catch((e) => fail('hls', e)));
  $('play-cenc').addEventListener('click', () => playCenc($('video-cenc'), $('status-cenc'), $('log-cenc'), samples.cenc).catch((e) => fail('cenc', e)));
}

function fail(player, error) {
  const status = $(`status-${player}`);
  status.dataset.state = 'error';
  status.dataset.errors = error.message;
  status.textContent = `error: ${error.message}`;
}

window.demo = { playHls, playCenc };
await Promise.all([showSettings(), setupPlayers()]);
setupForm();
document.body.dataset.ready = 'true';
