using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Child10.Advocacy.Bench;

/// <summary>Gathers the measurements of one scripts/bench run into bench/results.json and bench/RESULTS.md, goals beside figures.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // The processes that do each path's work (the others' CPU in the same window is the idle app and database).
    private static readonly string[] FanoutProcesses = ["dispatch", "app", "postgres", "sink"];
    private static readonly string[] BareProcesses = ["loop", "sink"];

    public static async Task WriteAsync(Options options, CancellationToken ct)
    {
        var dir = options.Required("dir");
        var outDir = options.Required("out");
        var scale = options.Double("scale", 1);
        JsonNode? Read(string name) => File.Exists(Path.Combine(dir, name)) ? JsonNode.Parse(File.ReadAllText(Path.Combine(dir, name))) : null;
        double? Num(JsonNode? node, string key) => node?[key]?.GetValue<double>();

        var pages = new JsonObject();
        var pageNames = options.Required("pages").Split(',');
        double? worst = null;
        foreach (var name in pageNames)
        {
            var wrk = Read($"wrk-{name}.json") ?? throw new BenchException($"no wrk result for {name}");
            var rps = wrk["requests"]!.GetValue<double>() / (wrk["duration_us"]!.GetValue<double>() / 1e6);
            var p95 = wrk["p95_us"]!.GetValue<double>() / 1000;
            worst = Math.Max(worst ?? 0, p95);
            pages[name] = new JsonObject
            {
                ["path"] = wrk["path"]?.GetValue<string>(),
                ["rps"] = Math.Round(rps, 1),
                ["p50_ms"] = Math.Round(wrk["p50_us"]!.GetValue<double>() / 1000, 2),
                ["p95_ms"] = Math.Round(p95, 2),
                ["p99_ms"] = Math.Round(wrk["p99_us"]!.GetValue<double>() / 1000, 2),
                ["requests"] = wrk["requests"]!.GetValue<long>(),
                ["errors"] = wrk["errors"]!.GetValue<long>() + wrk["non2xx"]!.GetValue<long>(),
            };
        }
        var health = Read("wrk-health.json");
        double? healthRps = health is null ? null : Math.Round(health["requests"]!.GetValue<double>() / (health["duration_us"]!.GetValue<double>() / 1e6), 1);

        var fanoutRun = Read("fanout.json");
        var bareRun = Read("bare.json");
        var fanout = Num(fanoutRun, "msgs_per_s");
        var bare = Num(bareRun, "msgs_per_s");
        var source = Num(Read("smtp-source.json"), "msgs_per_s");
        var sweep1 = Num(Read("sweep-1.json"), "seconds");
        var sweep10 = Num(Read("sweep-10.json"), "seconds");
        var importRun = Read("import.json");
        var import = Num(importRun, "total_s");
        var seed = Read("seed.json");
        var memory = Read("memory.json");
        var rss = Num(memory, "peak_rss_mb");
        var sink = Read("sink.json");
        var machine = Read("machine.json")!;

        var results = new JsonObject
        {
            ["scale"] = scale,
            ["date"] = machine["date"]?.GetValue<string>(),
            ["machine"] = machine.DeepClone(),
            ["search_p95_ms"] = worst is null ? null : Math.Round(worst.Value, 2),
            ["pages"] = pages,
            ["health_rps"] = healthRps,
            ["fanout_msgs_per_s"] = fanout,
            ["fanout_queue_s"] = Num(fanoutRun, "queue_s"),
            ["fanout_total_s"] = Num(fanoutRun, "total_s"),
            ["fanout_warmup_messages"] = Num(fanoutRun, "warmup_messages"),
            ["fanout_messages"] = Num(fanoutRun, "messages"),
            ["fanout_cpu_s"] = fanoutRun?["cpu_s"]?.DeepClone(),
            ["fanout_cpu_while_queueing_s"] = fanoutRun?["cpu_while_queueing_s"]?.DeepClone(),
            ["bare_mailkit_msgs_per_s"] = bare,
            ["bare_cpu_s"] = bareRun?["cpu_s"]?.DeepClone(),
            ["smtp_source_msgs_per_s"] = source,
            ["fanout_ratio_to_bare"] = fanout is not null && bare is not null ? Math.Round(fanout.Value / bare.Value, 3) : null,
            ["fanout_ratio_to_smtp_source"] = fanout is not null && source is not null ? Math.Round(fanout.Value / source.Value, 3) : null,
            ["sweep_1pct_s"] = sweep1,
            ["sweep_10pct_s"] = sweep10,
            ["import_100k_s"] = import,
            ["import_rows"] = importRun?["rows"]?.GetValue<int>(),
            ["import_rows_with_policy_areas"] = Num(importRun, "rows_with_policy_areas"),
            ["import_upload_s"] = Num(importRun, "upload_s"),
            ["import_dry_run_s"] = Num(importRun, "preview_s"),
            ["import_commit_s"] = Num(importRun, "commit_s"),
            ["person_themes"] = Num(seed, "person_themes"),
            ["organisation_themes"] = Num(seed, "organisation_themes"),
            ["peak_rss_mb"] = rss,
            ["rss_after_pages_mb"] = Num(memory, "rss_after_pages_mb"),
            ["rss_after_fanout_mb"] = Num(memory, "rss_after_fanout_mb"),
            ["peak_before_import_mb"] = Num(memory, "peak_before_import_mb"),
            ["sink_counts"] = sink?.DeepClone(),
            ["steal_pct"] = Read("steal.json")?.DeepClone(),
        };
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, "results.json"), results.ToJsonString(Indented) + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(outDir, "RESULTS.md"), Markdown(results, pageNames, scale, healthRps), ct);
    }

    private static string Markdown(JsonObject r, string[] pageNames, double scale, double? healthRps)
    {
        var c = CultureInfo.InvariantCulture;
        var m = r["machine"]!;
        var md = new StringBuilder();
        md.AppendLine("# Benchmark results").AppendLine();
        md.AppendLine(c, $"Written by `scripts/bench` on {m["date"]} — {m["cores"]} cores ({m["cpu"]}), {m["memory_gb"]} GB memory, {m["os"]}.");
        md.AppendLine(c, $"Load average (1 min) when the report was written: {m["load_avg_1m"]} — other work on the machine skews the figures.");
        if (r["steal_pct"] is JsonObject steal && steal.Count > 0)
        {
            var parts = string.Join(", ", steal.Select(part => string.Create(c, $"{part.Key} {part.Value} %")));
            md.AppendLine(c, $"CPU time the hypervisor gave to other guests (steal) while each part ran: {parts}. Every point of it slows that part's figures.");
        }
        md.AppendLine(c, $"PostgreSQL {m["postgres"]}, .NET {m["dotnet"]}, the app published as the Dockerfile publishes it (Release, compiled ahead of time for this runtime; tiered compilation without dynamic PGO, as `Directory.Build.props` sets), the bench tool a Release build, `ASPNETCORE_ENVIRONMENT=Production`, OpenID Connect sign-in on.");
        md.AppendLine();
        if (Math.Abs(scale - 1) > 1e-9)
        {
            md.AppendLine(c, $"**Scale {scale}: a reduced run.** Data sizes and message counts are {scale:0.###} × the full benchmark; wrk ran {m["wrk_seconds"]} s per page. The goals apply to the full-size run (`BENCH_SCALE=1`).");
            md.AppendLine();
        }
        md.AppendLine(c, $"Data: {m["people"]} people, {m["organisations"]} organisations, {m["interactions"]} interactions; people follow themes through {Show(r["person_themes"])} links and organisations work on them through {Show(r["organisation_themes"])}. Pages measured with wrk, {m["wrk_connections"]} connections, {m["wrk_seconds"]} s each, signed in.");
        md.AppendLine("Every measured part starts right after a PostgreSQL checkpoint, as pgbench advises (the seed ends with one; the fan-out, each sweep and the import begin with one), so that no part pays for the dirty pages of the one before it.");
        md.AppendLine();
        md.AppendLine("## Lists and search").AppendLine();
        md.AppendLine("| page | path | requests/s | p50 ms | p95 ms | p99 ms | errors | goal p95 < 50 ms |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var name in pageNames)
        {
            var p = r["pages"]![name]!;
            md.AppendLine(c, $"| {name} | `{p["path"]}` | {p["rps"]} | {p["p50_ms"]} | {p["p95_ms"]} | {p["p99_ms"]} | {p["errors"]} | {Goal(p["p95_ms"]!.GetValue<double>() < 50)} |");
        }
        md.AppendLine(c, $"| /health/live (baseline) | `/health/live` | {healthRps} | | | | | |");
        md.AppendLine();
        md.AppendLine("## Briefing fan-out").AppendLine();
        md.AppendLine("| path | messages/s | ratio |");
        md.AppendLine("| --- | ---: | ---: |");
        md.AppendLine(c, $"| end to end: approved briefing sent now → dispatch renders and queues the run → outbox → MailKit pool → smtp-sink → marked sent | {Show(r["fanout_msgs_per_s"])} | goal ≥ 1,000/s: {Goal(AtLeast(r["fanout_msgs_per_s"], 1000))} |");
        md.AppendLine(c, $"| bare MailKit + Scriban loop, same pool size | {Show(r["bare_mailkit_msgs_per_s"])} | fan-out / bare = {Show(r["fanout_ratio_to_bare"])} (goal ≥ 0.6: {Goal(AtLeast(r["fanout_ratio_to_bare"], 0.6))}) |");
        md.AppendLine(c, $"| smtp-source (raw limit of the sink) | {Show(r["smtp_source_msgs_per_s"])} | fan-out / smtp-source = {Show(r["fanout_ratio_to_smtp_source"])} |");
        md.AppendLine();
        md.AppendLine(c, $"The briefing (Markdown body with recipient placeholders, written by one lead and approved by another, replies to the campaign lead) goes to picked people; scheduling it and queueing its run (audience, render, insert) took {Show(r["fanout_queue_s"], " s")} of the {Show(r["fanout_total_s"], " s")} until the last message was marked sent (each delivery also records an email interaction). A {Show(r["fanout_warmup_messages"])}-message run of the same briefing went first, in the same process and through the same worker, so the dispatch is measured warm, as in the app's long-lived process. The bare loop renders the same briefing inside the same layout.");
        md.AppendLine();
        CpuTable(md, r);
        md.AppendLine(c, $"Sink check: {r["sink_counts"]?.ToJsonString() ?? "not recorded"}.");
        md.AppendLine();
        md.AppendLine("## Other measurements").AppendLine();
        md.AppendLine("| measurement | value | goal |");
        md.AppendLine("| --- | ---: | --- |");
        md.AppendLine(c, $"| reminder sweep, 1 % of the open requests due | {Show(r["sweep_1pct_s"], " s")} | < 2 s: {Goal(Below(r["sweep_1pct_s"], 2))} |");
        md.AppendLine(c, $"| reminder sweep, 10 % due | {Show(r["sweep_10pct_s"], " s")} | < 2 s: {Goal(Below(r["sweep_10pct_s"], 2))} |");
        md.AppendLine(c, $"| CSV import of {r["import_rows"]} people (upload, dry run, commit over HTTP) | {Show(r["import_100k_s"], " s")} | < 10 s: {Goal(Below(r["import_100k_s"], 10))} |");
        md.AppendLine(c, $"| peak resident memory of the app (VmHWM) | {Show(r["peak_rss_mb"], " MB")} | < 400 MB: {Goal(Below(r["peak_rss_mb"], 400))} |");
        md.AppendLine();
        md.AppendLine(c, $"{Show(r["import_rows_with_policy_areas"])} of the file's rows name policy areas, which the commit writes as the people's themes. Upload {Show(r["import_upload_s"], " s")}, dry run {Show(r["import_dry_run_s"], " s")}, commit {Show(r["import_commit_s"], " s")}.");
        md.AppendLine();
        md.AppendLine(c, $"The app's resident memory was {Show(r["rss_after_pages_mb"], " MB")} after the pages and {Show(r["rss_after_fanout_mb"], " MB")} after the fan-out; its peak before the import was {Show(r["peak_before_import_mb"], " MB")}.");
        md.AppendLine();
        md.AppendLine("\"n/a\" means the measurement was not available in this build. Raw figures: `bench/results.json`.");
        return md.ToString();
    }

    /// <summary>Where each message's CPU went, in the fan-out and in the bare loop, and the rate that CPU allows on this machine.</summary>
    private static void CpuTable(StringBuilder md, JsonObject r)
    {
        if (r["fanout_cpu_s"] is not JsonObject fanout || r["bare_cpu_s"] is not JsonObject bare || r["fanout_messages"] is null)
        {
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var messages = r["fanout_messages"]!.GetValue<double>();
        var cores = r["machine"]?["cores"]?.GetValue<int>() ?? Environment.ProcessorCount;
        double? Seconds(JsonObject part, string key) => part[key]?.GetValue<double>();
        string Cell(double? seconds) => seconds is { } s ? string.Create(c, $"{s:0.00} | {s * 1000 / messages:0.000}") : "— | —";
        md.AppendLine(c, $"CPU used by each process while the {messages:0} messages went out (fan-out: from queueing to the last one marked sent; bare loop: from its first message to its last), in seconds and in milliseconds a message:").AppendLine();
        md.AppendLine("| process | fan-out s | fan-out ms/msg | bare loop s | bare loop ms/msg |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        md.AppendLine(c, $"| dispatch: audience, render, queue (the bench tool's process, where the app would run its job) | {Cell(Seconds(fanout, "dispatch"))} | {Cell(null)} |");
        md.AppendLine(c, $"| app: delivery worker (claim, MIME, SMTP, mark sent) | {Cell(Seconds(fanout, "app"))} | {Cell(null)} |");
        md.AppendLine(c, $"| bare loop: render, MIME, SMTP in one process | {Cell(null)} | {Cell(Seconds(bare, "loop"))} |");
        md.AppendLine(c, $"| PostgreSQL | {Cell(Seconds(fanout, "postgres"))} | {Cell(null)} |");
        md.AppendLine(c, $"| smtp-sink | {Cell(Seconds(fanout, "sink"))} | {Cell(Seconds(bare, "sink"))} |");
        var fanoutTotal = FanoutProcesses.Sum(key => Seconds(fanout, key) ?? 0);
        var bareTotal = BareProcesses.Sum(key => Seconds(bare, key) ?? 0);
        md.AppendLine(c, $"| **all** | {Cell(fanoutTotal)} | {Cell(bareTotal)} |");
        md.AppendLine();
        if (r["fanout_cpu_while_queueing_s"] is JsonObject queueing)
        {
            md.AppendLine(c, $"Of the fan-out's CPU, while the run was being queued (before any message could be sent): dispatch {Show(queueing["dispatch"], " s")}, PostgreSQL {Show(queueing["postgres"], " s")}, app {Show(queueing["app"], " s")}.");
            md.AppendLine();
        }
        if (fanoutTotal > 0 && bareTotal > 0)
        {
            md.AppendLine(c, $"With all {cores} cores busy, the fan-out's CPU allows at most {cores * messages / fanoutTotal:0} messages/s and the bare loop's {cores * messages / bareTotal:0}: a fan-out / bare ratio of at most {bareTotal / fanoutTotal:0.00}, however well the steps overlap.");
            md.AppendLine();
        }
    }

    private static string Show(JsonNode? value, string unit = "") => value is null ? "n/a" : value.ToJsonString() + unit;

    private static bool? Below(JsonNode? value, double limit) => value is null ? null : value.GetValue<double>() < limit;

    private static bool? AtLeast(JsonNode? value, double limit) => value is null ? null : value.GetValue<double>() >= limit;

    private static string Goal(bool? met) => met switch { true => "met", false => "**missed**", null => "n/a" };
}
