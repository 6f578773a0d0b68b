// promql-metrics: the metric names that Limen's Grafana dashboards and Prometheus rule
// files query, found with Prometheus's own PromQL parser (promql/parser), and optionally
// checked against scrapes of Limen's binaries (parsed with prometheus/common/expfmt).
//
// usage: promql-metrics [-scrape FILE]... [-allow NAME]... FILE...
//
//	FILE            a Grafana dashboard (*.json) or a Prometheus rule file (*.yaml, *.yml)
//	-scrape FILE    a /metrics body (text exposition format); may repeat
//	-allow NAME     a metric allowed to be absent from the scrapes (the caller has checked
//	                that the sources define it); may repeat
//
// Prints FILE<TAB>PLACE<TAB>METRIC<TAB>LABELS for every metric each expression selects
// (PLACE names the dashboard and panel, the variable, or the rule; LABELS, comma-separated,
// the labels its matchers use). Exits 1, after printing every problem to
// stderr, when a file is not valid JSON/YAML, a panel has no PromQL expression, a panel or
// target does not use the ${datasource} variable, an expression does not parse, a selector
// has no metric name, or (with -scrape) a metric has no sample in any scrape or a label
// matcher names a label the metric's samples never carry. A histogram is
// queried through its series X_bucket, X_sum, X_count: those map to family X; a bare X is
// reported, since no such series exists.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// ref is one metric an expression selects, with the labels its selectors match on.
type ref struct {
	file, place, metric string
	labels              map[string]bool
}

type checker struct {
	promql   parser.Parser
	refs     []ref
	problems []string
}

func (c *checker) problem(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// Grafana's built-in interval variables, replaced by values of the same type so that the
// expression parses; any other $variable must sit inside a label-matcher string.
var grafanaInterval = regexp.MustCompile(`\$\{?__(rate_interval|interval|range)(_ms|_s)?\}?`)

func substituteGrafana(expr string) string {
	return grafanaInterval.ReplaceAllStringFunc(expr, func(m string) string {
		switch grafanaInterval.FindStringSubmatch(m)[2] {
		case "_ms":
			return "300000"
		case "_s":
			return "300"
		}
		return "5m"
	})
}

// expression parses expr and records every metric it selects at place.
func (c *checker) expression(file, place, expr string) {
	if strings.TrimSpace(expr) == "" {
		c.problem("%s: %s: empty expression", file, place)
		return
	}
	e, err := c.promql.ParseExpr(substituteGrafana(expr))
	if err != nil {
		c.problem("%s: %s: PromQL does not parse: %v\n    %s", file, place, err, expr)
		return
	}
	seen := map[string]*ref{}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		if name == "" {
			for _, m := range vs.LabelMatchers {
				if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
					name = m.Value
				}
			}
		}
		if name == "" {
			c.problem("%s: %s: selector %s has no metric name (cannot be checked)", file, place, vs)
			return nil
		}
		r := seen[name]
		if r == nil {
			r = &ref{file, place, name, map[string]bool{}}
			seen[name] = r
		}
		for _, m := range vs.LabelMatchers {
			if m.Name != model.MetricNameLabel {
				r.labels[m.Name] = true
			}
		}
		return nil
	})
	for _, r := range seen {
		c.refs = append(c.refs, *r)
	}
	sort.Slice(c.refs, func(i, j int) bool {
		a, b := c.refs[i], c.refs[j]
		return a.file+a.place+a.metric < b.file+b.place+b.metric
	})
}

// --- Grafana dashboards ---------------------------------------------------------------------

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type target struct {
	Expr       string         `json:"expr"`
	RefID      string         `json:"refId"`
	Datasource *datasourceRef `json:"datasource"`
}

type panel struct {
	ID         int                 `json:"id"`
	Title      string              `json:"title"`
	Type       string              `json:"type"`
	Datasource *datasourceRef      `json:"datasource"`
	GridPos    *struct{ H, W int } `json:"gridPos"`
	Targets    []target            `json:"targets"`
	Panels     []panel             `json:"panels"` // a collapsed row's panels
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Datasource *datasourceRef  `json:"datasource"`
}

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

const datasourceVar = "${datasource}"

var (
	labelValues = regexp.MustCompile(`^\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)
	queryResult = regexp.MustCompile(`^\s*query_result\(\s*(.+)\s*\)\s*$`)
)

func (c *checker) dashboard(file string, data []byte) {
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		c.problem("%s: not a valid dashboard JSON: %v", file, err)
		return
	}
	if d.UID == "" || d.Title == "" || d.SchemaVersion == 0 {
		c.problem("%s: uid, title and schemaVersion are required (got %q, %q, %d)", file, d.UID, d.Title, d.SchemaVersion)
	}
	hasDatasource := false
	for _, v := range d.Templating.List {
		place := fmt.Sprintf("dashboard %q variable %q", d.Title, v.Name)
		switch v.Type {
		case "datasource":
			var q string
			_ = json.Unmarshal(v.Query, &q)
			if v.Name == "datasource" && q == "prometheus" {
				hasDatasource = true
			}
		case "query":
			if v.Datasource == nil || v.Datasource.UID != datasourceVar {
				c.problem("%s: %s: datasource must be %s", file, place, datasourceVar)
			}
			c.variable(file, place, v.Query)
		}
	}
	if !hasDatasource {
		c.problem("%s: no template variable \"datasource\" of type datasource (query prometheus)", file)
	}
	if len(d.Panels) == 0 {
		c.problem("%s: dashboard %q has no panels", file, d.Title)
	}
	c.panels(file, d.Title, d.Panels)
}

func (c *checker) variable(file, place string, raw json.RawMessage) {
	var q string
	if err := json.Unmarshal(raw, &q); err != nil {
		var obj struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			c.problem("%s: %s: query is neither a string nor {query: string}", file, place)
			return
		}
		q = obj.Query
	}
	if m := labelValues.FindStringSubmatch(q); m != nil {
		c.expression(file, place, m[1])
	} else if m := queryResult.FindStringSubmatch(q); m != nil {
		c.expression(file, place, m[1])
	} else {
		// label_values(label), label_names(), metrics(): tied to no metric, so not checkable.
		c.problem("%s: %s: query %q names no metric (use label_values(metric, label) or query_result(expr))", file, place, q)
	}
}

func (c *checker) panels(file, title string, panels []panel) {
	for _, p := range panels {
		place := fmt.Sprintf("dashboard %q panel %q", title, p.Title)
		if p.GridPos == nil || p.GridPos.W <= 0 || p.GridPos.H <= 0 {
			c.problem("%s: %s: gridPos with w and h is required", file, place)
		}
		switch p.Type {
		case "row":
			c.panels(file, title, p.Panels)
			continue
		case "text":
			continue
		}
		if p.Title == "" {
			c.problem("%s: dashboard %q: panel id %d has no title", file, title, p.ID)
		}
		if p.Datasource == nil || p.Datasource.UID != datasourceVar {
			c.problem("%s: %s: datasource must be %s", file, place, datasourceVar)
		}
		exprs := 0
		for _, t := range p.Targets {
			if t.Datasource != nil && t.Datasource.UID != datasourceVar {
				c.problem("%s: %s target %s: datasource must be %s", file, place, t.RefID, datasourceVar)
			}
			if strings.TrimSpace(t.Expr) == "" {
				continue
			}
			exprs++
			c.expression(file, fmt.Sprintf("%s target %s", place, t.RefID), t.Expr)
		}
		if exprs == 0 {
			c.problem("%s: %s: no PromQL expression (targets[].expr)", file, place)
		}
	}
}

// --- Prometheus rule files ------------------------------------------------------------------

type rule struct {
	Alert         string            `yaml:"alert"`
	Record        string            `yaml:"record"`
	Expr          string            `yaml:"expr"`
	For           string            `yaml:"for"`
	KeepFiringFor string            `yaml:"keep_firing_for"`
	Labels        map[string]string `yaml:"labels"`
	Annotations   map[string]string `yaml:"annotations"`
}

type ruleGroup struct {
	Name        string            `yaml:"name"`
	Interval    string            `yaml:"interval"`
	QueryOffset string            `yaml:"query_offset"`
	Limit       int               `yaml:"limit"`
	Labels      map[string]string `yaml:"labels"`
	Rules       []rule            `yaml:"rules"`
}

func (c *checker) rules(file string, data []byte) {
	var rf struct {
		Groups []ruleGroup `yaml:"groups"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		c.problem("%s: not a valid rule file: %v", file, err)
		return
	}
	if len(rf.Groups) == 0 {
		c.problem("%s: no rule groups", file)
	}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			place := fmt.Sprintf("group %q alert %q", g.Name, r.Alert)
			if r.Record != "" {
				place = fmt.Sprintf("group %q record %q", g.Name, r.Record)
			}
			c.expression(file, place, r.Expr)
		}
	}
}

// --- scrapes --------------------------------------------------------------------------------

// series: every series name with samples in the scrapes → the label names its samples
// carry (le for a histogram's _bucket, quantile for a summary).
type series map[string]map[string]bool

func (s series) add(name string, m *dto.Metric, extra string) {
	if s[name] == nil {
		s[name] = map[string]bool{}
	}
	for _, l := range m.GetLabel() {
		s[name][l.GetName()] = true
	}
	if extra != "" {
		s[name][extra] = true
	}
}

func loadScrapes(files []string) (series, map[string]*dto.MetricFamily, error) {
	s := series{}
	families := map[string]*dto.MetricFamily{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		p := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(data))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", f, err)
		}
		for name, fam := range fams {
			if prev, ok := families[name]; !ok || len(prev.GetMetric()) == 0 {
				families[name] = fam
			}
			if len(fam.GetMetric()) == 0 {
				continue
			}
			for _, m := range fam.GetMetric() {
				switch fam.GetType() {
				case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
					s.add(name+"_bucket", m, "le")
					s.add(name+"_sum", m, "")
					s.add(name+"_count", m, "")
				case dto.MetricType_SUMMARY:
					s.add(name, m, "quantile")
					s.add(name+"_sum", m, "")
					s.add(name+"_count", m, "")
				default:
					s.add(name, m, "")
				}
			}
		}
	}
	return s, families, nil
}

func (c *checker) checkAgainst(s series, families map[string]*dto.MetricFamily, allowed map[string]bool) {
	for _, r := range c.refs {
		if have, ok := s[r.metric]; ok {
			// A matcher on a label the metric never carries selects nothing (or everything,
			// for ="" / !~): a renamed or misspelled label.
			for l := range r.labels {
				if !have[l] {
					c.problem("%s: %s: metric %s has no label %q in the scrapes (labels: %s)", r.file, r.place, r.metric, l, strings.Join(sortedKeys(have), ", "))
				}
			}
			continue
		}
		// expfmt drops families without samples (HELP/TYPE only): those are absent too, as
		// they are for Prometheus.
		why := "absent from every scrape"
		histogram := false
		if fam, ok := families[r.metric]; ok && fam.GetType() == dto.MetricType_HISTOGRAM {
			why, histogram = "a histogram family: query "+r.metric+"_bucket, _sum or _count", true
		}
		if allowed[r.metric] && !histogram {
			fmt.Fprintf(os.Stderr, "allowed: %s: %s: %s is %s (allow-list)\n", r.file, r.place, r.metric, why)
			continue
		}
		c.problem("%s: %s: metric %s is %s", r.file, r.place, r.metric, why)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func main() {
	var scrapes, allow listFlag
	flag.Var(&scrapes, "scrape", "a /metrics body to check the metrics against (repeatable)")
	flag.Var(&allow, "allow", "a metric allowed to be absent from the scrapes (repeatable)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: promql-metrics [-scrape FILE]... [-allow NAME]... DASHBOARD.json|RULES.yaml...")
		os.Exit(2)
	}
	c := &checker{promql: parser.NewParser(parser.Options{})}
	for _, f := range flag.Args() {
		data, err := os.ReadFile(f)
		if err != nil {
			c.problem("%v", err)
			continue
		}
		switch ext := filepath.Ext(f); ext {
		case ".json":
			c.dashboard(f, data)
		case ".yaml", ".yml":
			c.rules(f, data)
		default:
			c.problem("%s: unknown file type %q (want .json or .yaml)", f, ext)
		}
	}
	for _, r := range c.refs {
		fmt.Printf("%s\t%s\t%s\t%s\n", r.file, r.place, r.metric, strings.Join(sortedKeys(r.labels), ","))
	}
	if len(scrapes) > 0 {
		s, families, err := loadScrapes(scrapes)
		if err != nil {
			c.problem("scrape: %v", err)
		} else {
			allowed := map[string]bool{}
			for _, a := range allow {
				allowed[a] = true
			}
			c.checkAgainst(s, families, allowed)
		}
	}
	if len(c.problems) > 0 {
		sort.Strings(c.problems)
		for _, p := range c.problems {
			fmt.Fprintln(os.Stderr, "FAIL:", p)
		}
		os.Exit(1)
	}
}
