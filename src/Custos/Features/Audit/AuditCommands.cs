using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Features.Audit;

/// <summary><c>custos audit verify|proof|consistency|checkpoints|sequence</c>: the auditor's tools on the command line (AUD-1, AUD-2).</summary>
internal static class AuditCommands
{
    /// <summary>Who may examine the log: auditors, the compliance officer and IT administrators.</summary>
    public static readonly string[] AuditRoles = [Roles.Auditor, Roles.ComplianceOfficer, Roles.ItAdministrator];

    public static Command Create()
    {
        var pinned = new Option<FileInfo?>("--checkpoints") { Description = "A checkpoint export kept outside the database (custos audit checkpoints --out); the log must agree with it and its keys" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var verify = new Command("verify", "Recompute the whole audit log against its signed checkpoints and name the first entry that differs") { pinned, json };
        verify.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var trusted = parse.GetValue(pinned) is { } file ? ReadCheckpoints(file, text) : null;
            var result = await Cli.WithProgressAsync(text["Audit.Verifying"], async progress =>
                await services.GetRequiredService<AuditVerifier>().VerifyAsync(trusted, new Progress<(long Done, long Total)>(p => progress.Report(((int)p.Done, (int)p.Total))), token));
            var audit = services.GetRequiredService<IAuditTrail>();
            await audit.RecordNowAsync("audit.verify", "audit-log", null, result.Ok ? AuditOutcome.Success : AuditOutcome.Failed,
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
            await services.GetRequiredService<IAuditTrail>().RecordNowAsync("audit.proof", "audit-entry", document.LeafIndex.ToString(CultureInfo.InvariantCulture),
                AuditOutcome.Success, new { tree_size = document.TreeSize }, token);
            await WriteAsync(parse.GetValue(output), JsonSerializer.Serialize(document, AuditProofs.Json) + "\n", text, token);
        }, ct));

        var from = new Option<long>("--from") { Description = "Size of the earlier checkpoint", Required = true };
        var to = new Option<long>("--to") { Description = "Size of the later checkpoint", Required = true };
        var consistency = new Command("consistency", "Export a proof that the log at one checkpoint is a prefix of the log at a later one") { from, to, output };
        consistency.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var document = await services.GetRequiredService<AuditProofs>().ConsistencyAsync(parse.GetValue(from), parse.GetValue(to), token);
            await services.GetRequiredService<IAuditTrail>().RecordNowAsync("audit.consistency", "audit-log", null,
                AuditOutcome.Success, new { first_size = document.FirstSize, second_size = document.SecondSize }, token);
            await WriteAsync(parse.GetValue(output), JsonSerializer.Serialize(document, AuditProofs.Json) + "\n", text, token);
        }, ct));

        var after = new Option<long?>("--after") { Description = "Only checkpoints larger than this size" };
        var checkpoints = new Command("checkpoints", "Export the signed checkpoints and their public keys, to keep outside the database") { after, output };
        checkpoints.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var export = await services.GetRequiredService<AuditProofs>().ExportAsync(parse.GetValue(after), token);
            await services.GetRequiredService<IAuditTrail>().RecordNowAsync("audit.checkpoints.export", "audit-log", null,
                AuditOutcome.Success, new { count = export.Checkpoints.Count }, token);
            await WriteAsync(parse.GetValue(output), export.ToJson(), text, token);
        }, ct));

        var sequence = new Command("sequence", "Integrate committed entries into the log now and sign the checkpoints due (the server does this by itself)");
        sequence.SetAction((parse, ct) => Run(parse, async (services, text, token) =>
        {
            var n = await services.GetRequiredService<AuditSequencer>().SequenceAllAsync(token, checkpointNow: true);
            AnsiConsole.MarkupLine(Markup.Escape(text["Audit.Sequenced", n]));
        }, ct));

        return new Command("audit", "The tamper-evident audit log: verify it, export proofs and checkpoints") { verify, proof, consistency, checkpoints, sequence };
    }

    private static Task<int> Run(ParseResult parse, Func<IServiceProvider, IStringLocalizer<Strings>, CancellationToken, Task> action, CancellationToken ct) =>
        Cli.RunAsync(parse, action, ct, allowedRoles: AuditRoles);

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
