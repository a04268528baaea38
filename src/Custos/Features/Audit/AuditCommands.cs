using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Features.Audit;

/// <summary><c>custos audit verify|proof|consistency|checkpoints|sequence</c>: the auditor's tools on the command line (AUD-1, AUD-2).</summary>
internal static class AuditCommands
{

    public static Command Create()
    {
        var pinned = new Option<FileInfo?>("--checkpoints") { Description = "A checkpoint export kept outside the database (custos audit checkpoints --out); the log must agree with it and its keys" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var archivesOption = new Option<DirectoryInfo?>("--archives") { Description = "Also recompute the archived entries from their files in this directory" };
        var verify = new Command("verify", "Recompute the whole audit log against its signed checkpoints and name the first entry that differs") { pinned, json, archivesOption };
        verify.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var trusted = parse.GetValue(pinned) is { } file ? ReadCheckpoints(file, text) : null;
            var result = await Cli.WithProgressAsync(text["Audit.Verifying"], async progress =>
                await services.GetRequiredService<AuditVerifier>().VerifyAsync(trusted, new Progress<(long Done, long Total)>(p => progress.Report(((int)p.Done, (int)p.Total))), token, parse.GetValue(archivesOption)?.FullName));
            var audit = services.GetRequiredService<IAuditTrail>();
            await audit.RecordNowAsync(AuditActions.AuditVerify, "audit-log", null, result.Ok ? AuditOutcome.Success : AuditOutcome.Failed,
                new { entries = result.Entries, problem = result.Problem.ToString(), first_bad_entry = result.FirstBadEntry, pinned = trusted?.Count }, token);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, AuditProofs.Json));
            }
            else if (result.Ok)
            {
                AnsiConsole.MarkupLine("[green]" + Markup.Escape(text["Audit.Verified", result.Entries, result.Checkpoints, result.SignedSize ?? 0, result.Unsigned, result.Unsequenced, string.Join(", ", result.Keys)]) + "[/]");
            }

            if (!result.Ok)
            {
                Cli.Error(Describe(result, text));
                throw new Cli.CommandFailedException();
            }
        }, ct));

        var entry = new Option<long>("--entry") { Description = "Sequence number of the entry", Required = true };
        var size = new Option<long?>("--size") { Description = "Tree size of the checkpoint to prove against (default: the newest)" };
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file instead of standard output" };
        var proof = new Command("proof", "Export an inclusion proof for one entry against a signed checkpoint (docs/audit-proofs.md)") { entry, size, output };
        proof.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var document = await services.GetRequiredService<AuditProofs>().InclusionAsync(parse.GetValue(entry), parse.GetValue(size), token);
            await services.GetRequiredService<IAuditTrail>().RecordNowAsync(AuditActions.AuditProof, "audit-entry", document.LeafIndex.ToString(CultureInfo.InvariantCulture),
                AuditOutcome.Success, new { tree_size = document.TreeSize }, token);
            await WriteAsync(parse.GetValue(output), JsonSerializer.Serialize(document, AuditProofs.Json) + "\n", text, token);
        }, ct));

        var from = new Option<long>("--from") { Description = "Size of the earlier checkpoint", Required = true };
        var to = new Option<long>("--to") { Description = "Size of the later checkpoint", Required = true };
        var consistency = new Command("consistency", "Export a proof that the log at one checkpoint is a prefix of the log at a later one") { from, to, output };
        consistency.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var document = await services.GetRequiredService<AuditProofs>().ConsistencyAsync(parse.GetValue(from), parse.GetValue(to), token);
            await services.GetRequiredService<IAuditTrail>().RecordNowAsync(AuditActions.AuditConsistency, "audit-log", null,
                AuditOutcome.Success, new { first_size = document.FirstSize, second_size = document.SecondSize }, token);
            await WriteAsync(parse.GetValue(output), JsonSerializer.Serialize(document, AuditProofs.Json) + "\n", text, token);
        }, ct));

        var after = new Option<long?>("--after") { Description = "Only checkpoints larger than this size" };
        var checkpoints = new Command("checkpoints", "Export the signed checkpoints and their public keys, to keep outside the database") { after, output };
        checkpoints.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var export = await services.GetRequiredService<AuditProofs>().ExportAsync(parse.GetValue(after), token);
            await services.GetRequiredService<IAuditTrail>().RecordNowAsync(AuditActions.AuditCheckpointsExport, "audit-log", null,
                AuditOutcome.Success, new { count = export.Checkpoints.Count }, token);
            await WriteAsync(parse.GetValue(output), export.ToJson(), text, token);
        }, ct));

        var sequence = new Command("sequence", "Integrate committed entries into the log now and sign the checkpoints due (the server does this by itself)");
        sequence.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var n = await services.GetRequiredService<AuditSequencer>().SequenceAllAsync(token, checkpointNow: true);
            AnsiConsole.MarkupLine(Markup.Escape(text["Audit.Sequenced", n]));
        }, ct));

        var person = new Option<string?>("--person") { Description = "User name or id of the person who acted" };
        var customer = new Option<Guid?>("--customer") { Description = "Customer id" };
        var action = new Option<string?>("--action") { Description = "Action, exact (customer.reveal) or a prefix ending in '.' (customer.)" };
        var outcome = new Option<AuditOutcome?>("--outcome") { Description = "Success, Denied or Failed" };
        var since = new Option<DateTimeOffset?>("--from") { Description = "From this time (ISO 8601)" };
        var until = new Option<DateTimeOffset?>("--to") { Description = "Before this time (ISO 8601)" };
        var csv = new Option<FileInfo?>("--csv") { Description = "Export every matching entry to this CSV file (recorded)" };
        var search = new Command("search", "Search the audit log; with --csv, export the result") { person, customer, action, outcome, since, until, csv };
        search.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var query = new AuditQuery(parse.GetValue(person), parse.GetValue(customer), parse.GetValue(action), parse.GetValue(outcome), parse.GetValue(since), parse.GetValue(until));
            var auditSearch = services.GetRequiredService<AuditSearch>();
            // Refused before anything is written: a refused export leaves the file named as it was.
            await AuditRights.RequireReaderAsync(services.GetRequiredService<Callers>(), AuditActions.AuditSearch, token);
            if (parse.GetValue(csv) is { } file)
            {
                await using var writer = new StreamWriter(file.FullName, append: false, Web.CsvText.Encoding);
                await writer.WriteAsync(Web.CsvText.Line(AuditApi.Header));
                var rows = await auditSearch.ExportAsync(query, e => writer.WriteAsync(Web.CsvText.Line(AuditApi.Row(e))), token);
                AnsiConsole.MarkupLine(Markup.Escape(text["Audit.Exported", rows, file.FullName]));
                return;
            }

            var page = await auditSearch.SearchAsync(query, 1, AuditSearch.MaxPageSize, token);
            var table = new Table().AddColumn(text["AuditLog.Time"]).AddColumn(text["AuditLog.Person"]).AddColumn(text["AuditLog.Action"])
                .AddColumn(text["AuditLog.Target"]).AddColumn(text["AuditLog.Purpose"]).AddColumn(text["AuditLog.Outcome"]);
            foreach (var e in page.Items)
            {
                table.AddRow(e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(e.ActorName), Markup.Escape(e.Action),
                    Markup.Escape($"{e.TargetType} {e.TargetId}"), Markup.Escape(e.Purpose ?? ""), Markup.Escape(text["AuditOutcome." + e.Outcome]));
            }

            Cli.Write(table);
            AnsiConsole.MarkupLine(Markup.Escape(text["AuditLog.Found", page.Total]));
        }, ct, requireAdministrator: false)); // who may read what people did is the policy's "audit" (AuditRights), checked by the search itself

        var forward = new Command("forward", "Deliver entries waiting for the configured collectors (JSON lines, syslog) now, and show each one's backlog");
        forward.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var settings = services.GetRequiredService<CustosSettings>();
            var destinations = AuditForwarder.Destinations(settings);
            var webhook = AuditForwarder.CheckpointWebhook(settings);
            if (destinations.Count == 0 && webhook is null)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Audit.Forward.None"]));
                return;
            }

            var forwarder = services.GetRequiredService<AuditForwarder>();
            var failed = false;
            var statuses = new List<ForwardStatus>();
            if (webhook is not null)
            {
                using var http = new HttpClient();
                try
                {
                    while (await forwarder.PostCheckpointsOnceAsync(webhook, http, token) > 0)
                    {
                    }
                }
                catch (AuditForwardException)
                {
                    failed = true;
                }

                statuses.Add(await forwarder.CheckpointStatusAsync(webhook, token));
            }

            foreach (var destination in destinations)
            {
                try
                {
                    while (await forwarder.ForwardOnceAsync(destination, token) > 0)
                    {
                    }
                }
                catch (AuditForwardException)
                {
                    failed = true;
                }
                finally
                {
                    await destination.DisposeAsync();
                }
            }

            var table = new Table().AddColumn(text["Audit.Forward.Destination"]).AddColumn(text["Audit.Forward.Delivered"])
                .AddColumn(text["Audit.Forward.Backlog"]).AddColumn(text["Audit.Forward.LastError"]);
            statuses.AddRange(await forwarder.StatusAsync(destinations, token));
            foreach (var s in statuses)
            {
                table.AddRow(Markup.Escape($"{s.Destination} {s.Target}"), s.Delivered.ToString(CultureInfo.InvariantCulture),
                    s.Backlog.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.LastError ?? "—"));
            }

            Cli.Write(table);
            if (failed)
            {
                throw new Cli.CommandFailedException();
            }
        }, ct));

        var archive = new Command("archive", "Move entries older than the retention period (Custos:Audit:RetentionDays) into signed archive files and delete them from the database");
        archive.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var result = await services.GetRequiredService<AuditArchiver>().ArchiveAsync(token);
            AnsiConsole.MarkupLine(Markup.Escape(result is null
                ? text["Audit.Archive.Nothing"]
                : text["Audit.Archive.Done", result.First, result.End - 1, result.ManifestFile]));
        }, ct));

        return new Command("audit", "The tamper-evident audit log: verify it, export proofs and checkpoints, search it, forward it, archive it")
        {
            verify, proof, consistency, checkpoints, sequence, search, forward, archive,
        };
    }

    private static Task<int> Run(ParseResult parse, Func<IServiceProvider, IStringLocalizer<Strings>, CancellationToken, Task> action, CancellationToken ct) =>
        Cli.RunAsync(parse, action, ct, allowedRoles: AuditRights.IntegrityExaminers);

    public static string Describe(AuditVerification result, IStringLocalizer<Strings> text)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(text);
        return text["Audit.Problem." + result.Problem, result.FirstBadEntry ?? 0, result.RangeFrom ?? 0, result.CheckpointSize ?? 0, result.Entries];
    }

    private static IReadOnlyList<TrustedCheckpoint> ReadCheckpoints(FileInfo file, IStringLocalizer<Strings> text)
    {
        try
        {
            return [.. CheckpointExport.Read(File.ReadAllText(file.FullName)).Checkpoints.Select(c => c.ToTrusted())];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            throw CustosException.Invalid("AuditCheckpointFile", file.Name, e.Message);
        }
    }

    private static async Task WriteAsync(FileInfo? file, string content, IStringLocalizer<Strings> text, CancellationToken ct)
    {
        if (file is null)
        {
            await Console.Out.WriteAsync(content);
            return;
        }

        await File.WriteAllTextAsync(file.FullName, content, ct);
        AnsiConsole.MarkupLine(Markup.Escape(text["Audit.Written", file.FullName]));
    }
}
