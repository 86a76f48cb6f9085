# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja2 templates of drift.html and drift.md (rendered by ``_drift_render``).

Python strings, so that they ship in the collection with the code (``ansible-galaxy collection build``
keeps every file of plugins/). The HTML template is rendered with autoescaping; the Markdown template
passes every value through the ``md`` filter.
"""

from __future__ import annotations

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;padding:0 16px 24px;
max-width:1280px;color:#1d232a;background:#fff}
h1{font-size:22px;margin:16px 0 2px}h2{font-size:17px;margin:18px 0 6px}
.kind{font-size:13px;font-weight:600;border-radius:4px;padding:2px 8px;margin-left:8px;vertical-align:middle;
background:#ddf4ff;color:#0a3069}.kind.log{background:#fff8c5;color:#4d2d00}
.meta{color:#57606a;margin:2px 0 10px}
.counts{display:flex;gap:8px;flex-wrap:wrap;margin:10px 0}
.count{border-radius:6px;padding:6px 14px;min-width:96px;border:1px solid #d0d7de}
.count b{display:block;font-size:24px}.count.failed b{color:#c62828}.count.unreachable b{color:#8e24aa}
.count.drift b,.count.changed b{color:#b26a00}.count.not_declared b{color:#b26a00}.count.in_sync b{color:#2e7d32}
.count.zero b,.count.hosts b{color:#57606a}
#filter{font-size:15px;padding:6px 10px;width:28em;max-width:100%;margin:8px 0}
#shown{color:#57606a;margin-left:8px}
section.host{border:1px solid #d0d7de;border-left-width:6px;border-radius:4px;margin:8px 0;padding:6px 12px}
section.failed{border-left-color:#c62828}section.unreachable{border-left-color:#8e24aa}
section.drift,section.changed,section.not_declared{border-left-color:#f0a202}
h3{margin:4px 0;font-size:15px;overflow-wrap:anywhere}
.badge{font-size:11px;border-radius:3px;padding:1px 6px;margin-left:6px;color:#fff;background:#57606a;
vertical-align:middle;white-space:nowrap}.badge.new{background:#0969da}.badge.failed{background:#c62828}
.badge.unreachable{background:#8e24aa}.badge.drift,.badge.changed,.badge.not_declared{background:#9a5b00}
.device{color:#57606a;margin:2px 0}
table{border-collapse:collapse;margin:4px 0;width:100%}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eaeef2;vertical-align:top;overflow-wrap:anywhere}
th{font-weight:600;color:#57606a}td.camera{background:#fff5f5}td.declared{background:#f3fbf4}
.error{color:#c62828}.warn{color:#7a4d00}.muted{color:#57606a}.note{color:#57606a}code{font-size:12px}
ul.plain{margin:4px 0;padding-left:18px}section.host p{margin:4px 0}
details.more{display:inline}details.more summary{cursor:pointer;color:#0969da;display:inline}
details.insync summary{cursor:pointer;font-weight:600;margin:12px 0 6px}
ul.insync{columns:5 12em;list-style:none;padding:0}
table.groups td.n,table.groups td.r{white-space:nowrap}table.groups th:nth-child(2){width:40%}table.groups th:nth-child(4){width:35%}
table.items{table-layout:fixed}table.items th:nth-child(1){width:20%}table.items th:nth-child(2){width:10%}
table.items th:nth-child(3),table.items th:nth-child(4){width:17%}table.items th:nth-child(5){width:14%}
[hidden]{display:none!important}
@media (max-width:700px){
body{padding:0 8px 16px}.count{min-width:0;flex:1 1 40%;padding:4px 8px}.count b{font-size:20px}
table.items thead,table.groups thead{display:none}
table.items tr,table.items td,table.groups tr,table.groups td{display:block;border:0;padding:1px 4px}
table.items tr,table.groups tr{border-bottom:1px solid #eaeef2;padding:4px 0}
table.items td[data-label]:before,table.groups td[data-label]:before{content:attr(data-label) ': ';
color:#57606a;font-weight:600}
ul.insync{columns:2}table.groups td.n,table.groups td.r{white-space:normal}
}
"""

_SCRIPT = """
(function(){
var box=document.getElementById('filter'),shown=document.getElementById('shown');
var rows=Array.prototype.slice.call(document.querySelectorAll('[data-search]'));
var insync=document.getElementById('insync');
var counts=Array.prototype.slice.call(document.querySelectorAll('[data-count]'));
function apply(){
 var q=box.value.trim().toLowerCase(),n=0,per={};
 rows.forEach(function(r){var hit=!q||r.getAttribute('data-search').indexOf(q)>=0;r.hidden=!hit;
  if(hit){n++;var s=r.getAttribute('data-status');per[s]=(per[s]||0)+1;}});
 document.querySelectorAll('h2[data-group]').forEach(function(h){
  var g=h.getAttribute('data-group');h.hidden=!document.querySelector('section.'+g+':not([hidden])');});
 if(insync){insync.open=!!q&&(per.in_sync||0)>0;}
 counts.forEach(function(c){var k=c.getAttribute('data-count'),v=k==='hosts'?n:(per[k]||0);
  c.querySelector('b').textContent=String(v);c.classList.toggle('zero',v===0);});
 shown.textContent=q?(n+' of '+rows.length+' hosts match'):(rows.length+' hosts');
 document.body.setAttribute('data-shown',String(n));
}
box.addEventListener('input',apply);
var m=/[#&]q=([^&]*)/.exec(location.hash);if(m){box.value=decodeURIComponent(m[1]);}
apply();
})();
"""

HTML_TEMPLATE = """<!DOCTYPE html>
{% macro hostlist(names) %}
{% for name in names[:fold_after] %}<a href="#host-{{ name }}">{{ name }}</a>{{ ", " if not loop.last }}{% endfor %}
{% if names|length > fold_after %} <details class="more"><summary>and {{ names|length - fold_after }} more</summary>
{% for name in names[fold_after:] %}<a href="#host-{{ name }}">{{ name }}</a>{{ ", " if not loop.last }}{% endfor %}
</details>{% endif %}
{% endmacro %}
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src\
 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ kind }}: {{ title }}</title><style>""" + _CSS + """</style></head><body>
<h1>{{ title }}<span class="kind {{ 'check' if report.check_mode else 'log' }}" id="kind">{{ kind }}</span></h1>
<p class="meta">{{ kind_note }} &middot; started {{ report.started }} &middot; finished {{ report.finished or "-" }}
{% if sources %} &middot; merged from {{ sources|length }} reports{% endif %}</p>
<div class="counts" id="counts">
{% for count in counts %}
<div class="count {{ count.key }}{{ ' zero' if not count.count }}" data-count="{{ count.key }}"><b>\
{{ count.count }}</b>{{ count.label }}</div>
{% endfor %}
<div class="count hosts" data-count="hosts"><b>{{ report.summary.hosts }}</b>hosts</div>
</div>
{% if since %}
<p class="meta" id="since">Since the previous report ({{ since.previous_started }}): <b>\
{{ since.new|length }} new</b>{% if since.new %} ({{ hostlist(since.new) }}){% endif %}, <b>\
{{ since.fixed|length }} fixed</b>{% if since.fixed %} ({{ hostlist(since.fixed) }}){% endif %}</p>
{% endif %}
<input id="filter" type="search" placeholder="Filter: host, resource, status, address, message..."\
 aria-label="Filter hosts"><span id="shown"></span>
{% if groups %}
<h2 id="by-resource">By resource and failure</h2>
<table class="groups"><thead><tr><th>resource or status</th><th>what ({{ camera_side }}, {{ declared_side }})</th>\
<th>cameras</th><th>hosts</th></tr></thead>
{% for group in groups %}
<tr><td class="r" data-label="resource"><code>{{ group.resource }}</code></td><td data-label="what">\
{{ group.what }}</td>
<td class="n" data-label="cameras">on {{ group.hosts|length }} camera{{ "s" if group.hosts|length != 1 }}</td>\
<td data-label="hosts">{{ hostlist(group.hosts) }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% if warnings %}
<h2 id="warnings">Warnings</h2>
<ul class="plain">
{% for warning in warnings %}
<li class="warn">{{ warning.warning }} <span class="muted">&mdash; \
{{ warning.hosts|length }} camera{{ "s" if warning.hosts|length != 1 }}: {{ hostlist(warning.hosts) }}</span></li>
{% endfor %}
</ul>
{% endif %}
{% set ns = namespace(group=None) %}
{% for card in cards %}
{% set host = card.host %}
{% if host.status != ns.group %}{% set ns.group = host.status %}<h2 data-group="{{ host.status }}">\
{{ card.label|capitalize }}</h2>{% endif %}
<section class="host {{ host.status }}" id="host-{{ card.name }}" data-status="{{ host.status }}" data-search="{{\
 card.search }}">
<h3>{{ card.name }}<span class="badge {{ host.status }}">{{ card.label }}</span>{% if card.new %}\
<span class="badge new">new</span>{% endif %}</h3>
{% if card.device %}<p class="device">
{% if card.device.address %}address <b>{{ card.device.address }}</b>{% endif %}
{% if card.device.product %} &middot; model <b>{{ card.device.product }}</b>{% endif %}
{% if card.device.firmware_version %} &middot; firmware <b>{{ card.device.firmware_version }}</b>{% endif %}
{% if card.device.serial_number %} &middot; serial {{ card.device.serial_number }}{% endif %}</p>{% endif %}
{% if host.error %}<p class="error">{{ host.error.task }}\
{% if host.error.item %} ({{ host.error.item }}){% endif %}: {{ host.error.msg }}
{% if host.error.error_code is not none %} <b>error code {{ host.error.error_code }}</b>{% endif %}</p>{% endif %}
{% if host.status == "not_declared" %}<p class="warn">Nothing is declared for this camera: its task checked no\
 setting, application or key (a misspelled variable name?).</p>{% endif %}
{% if card.rows %}
<table class="items"><thead><tr><th>resource</th><th>what</th><th>{{ camera_side }}</th><th>{{ declared_side }}\
</th><th>actions</th><th>file &middot; task</th></tr></thead>
{% for row in card.rows %}
{% set item = row.item %}
<tr class="item"><td data-label="resource"><code>{{ item.resource }}</code>{% if item.new %}\
<span class="badge new">new</span>{% endif %}
{% if row.label %}<br><span class="warn">{{ row.label }}</span>{% endif %}</td>
<td data-label="what">{% for key, camera, declared in row.rows %}{{ key }}{{ "<br>"|safe if not loop.last }}\
{% endfor %}
{% for warning in item.warnings %}<br><span class="warn">{{ warning }}</span>{% endfor %}\
{% if item.not_comparable %}<br><span class="note">not comparable (hidden by the camera): \
{{ item.not_comparable|join(", ") }}</span>{% endif %}</td>
<td class="camera" data-label="{{ camera_side }}">{% for key, camera, declared in row.rows %}{{ camera }}\
{{ "<br>"|safe if not loop.last }}{% endfor %}</td>
<td class="declared" data-label="{{ declared_side }}">{% for key, camera, declared in row.rows %}{{ declared }}\
{{ "<br>"|safe if not loop.last }}{% endfor %}</td>
<td data-label="actions">{{ item.actions|join(", ") }}{% if item.outcome_unknown %} \
<span class="warn">(outcome unknown)</span>{% endif %}</td>
<td class="muted" data-label="file · task">{% if item.source %}<code title="{{ item.source }}">\
{{ item.source|basename }}</code> &middot; {% endif %}{{ item.task }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% if card.notes %}<ul class="plain">
{% for note in card.notes %}
<li class="note"><code>{{ note.item.resource }}</code>:
{% if note.item.not_comparable %} not comparable (the camera hides the value{{ "s" if\
 note.item.not_comparable|length != 1 }}, not counted as drift): {{ note.item.not_comparable|join(", ") }}{% endif %}
{% if note.label %} {{ note.label }} (tolerated, not counted as drift){% for key, camera, declared in note.rows %}:\
 {{ key }} {{ camera }}{% endfor %}{% endif %}</li>
{% endfor %}
</ul>{% endif %}
{% for fixed in host.fixed or [] %}<p class="muted">fixed since the previous report: <code>{{ fixed }}</code></p>\
{% endfor %}
{% if host.warnings %}<ul class="plain">{% for warning in host.warnings %}<li class="warn">warning: {{ warning }}\
</li>{% endfor %}</ul>{% endif %}
</section>
{% endfor %}
<details class="insync" id="insync"><summary>In sync ({{ in_sync|length }})</summary><ul class="insync">
{% for host in in_sync %}
<li class="sync" id="host-{{ host.name }}" data-status="in_sync" data-search="{{ host.name|lower }} in_sync in\
 sync{{ ' fixed' if host.fixed }}">{{ host.name }}{% if host.fixed %} <span class="badge">fixed</span>{% endif %}</li>
{% endfor %}
</ul></details>
<script>""" + _SCRIPT + """</script></body></html>
"""

MARKDOWN_TEMPLATE = """{% macro hostlist(names) %}{{ names[:20]|map("md")|join(", ") }}\
{% if names|length > 20 %} and {{ names|length - 20 }} more{% endif %}{% endmacro %}
# {{ title|md }}: {{ kind }}

{{ kind_note|md }}; {{ report.started|md }} to {{ (report.finished or "-")|md }}.

|{% for count in counts %} {{ count.label }} |{% endfor %} hosts |
|{% for count in counts %} --- |{% endfor %} --- |
|{% for count in counts %} {{ count.count }} |{% endfor %} {{ report.summary.hosts }} |

{% if since %}
Since the previous report ({{ since.previous_started|md }}): \
{{ since.new|length }} new ({{ hostlist(since.new) or "none" }}); \
{{ since.fixed|length }} fixed ({{ hostlist(since.fixed) or "none" }}).

{% endif %}
{% if groups %}
## By resource and failure

| resource or status | what ({{ camera_side }}, {{ declared_side }}) | cameras | hosts |
| --- | --- | --- | --- |
{% for group in groups %}
| {{ group.resource|md }} | {{ group.what|md }} | {{ group.hosts|length }} | {{ hostlist(group.hosts) }} |
{% endfor %}

{% endif %}
{% if warnings %}
## Warnings

{% for warning in warnings %}
- {{ warning.warning|md }} ({{ warning.hosts|length }}: {{ hostlist(warning.hosts) }})
{% endfor %}

{% endif %}
{% for card in cards %}
{% set host = card.host %}
## {{ card.name|md }}: {{ card.label }}{{ " (new)" if card.new }}

{% if card.device %}
- camera:{% if card.device.address %} address {{ card.device.address|md }}{% endif %}\
{% if card.device.product %}, model {{ card.device.product|md }}{% endif %}\
{% if card.device.firmware_version %}, firmware {{ card.device.firmware_version|md }}{% endif %}

{% endif %}
{% if host.error %}
- error in task {{ host.error.task|md }}{% if host.error.item %} ({{ host.error.item|md }}){% endif %}: \
{{ host.error.msg|md }}{% if host.error.error_code is not none %} (error code {{ host.error.error_code }}){% endif %}

{% endif %}
{% if host.status == "not_declared" %}
- nothing is declared for this camera: its task checked no setting, application or key

{% endif %}
{% if card.rows %}
| resource | what | {{ camera_side }} | {{ declared_side }} | actions | file | task |
| --- | --- | --- | --- | --- | --- | --- |
{% for row in card.rows %}
{% set item = row.item %}
| {{ item.resource|md }}{{ " (new)" if item.new }}{% if row.label %} ({{ row.label }}){% endif %} | \
{% for key, camera, declared in row.rows %}{{ key|md }}{{ "; " if not loop.last }}{% endfor %}\
{% for warning in item.warnings %}; {{ warning|md }}{% endfor %}\
{% if item.not_comparable %}; not comparable (hidden by the camera): \
{{ item.not_comparable|map("md")|join(", ") }}{% endif %} | {% for key, camera, declared in row.rows %}\
{{ camera|md }}{{ "; " if not loop.last }}{% endfor %} | {% for key, camera, declared in row.rows %}\
{{ declared|md }}{{ "; " if not loop.last }}{% endfor %} | {{ item.actions|map("md")|join(", ") }} | \
{{ (item.source or "")|md }} | {{ item.task|md }} |
{% endfor %}

{% endif %}
{% for note in card.notes %}
- {{ note.item.resource|md }}:{% if note.item.not_comparable %} not comparable (hidden by the camera, not drift): \
{{ note.item.not_comparable|map("md")|join(", ") }}{% endif %}{% if note.label %} \
{{ note.label }} (tolerated, not drift){% endif %}

{% endfor %}
{% for fixed in host.fixed or [] %}
- fixed since the previous report: {{ fixed|md }}
{% endfor %}
{% for warning in host.warnings %}
- warning: {{ warning|md }}
{% endfor %}

{% endfor %}
{% if in_sync %}
## In sync ({{ in_sync|length }})

{{ in_sync|map(attribute="name")|map("md")|join(", ") }}
{% endif %}
"""
