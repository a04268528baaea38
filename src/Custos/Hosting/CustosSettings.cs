using Microsoft.Extensions.Configuration;

namespace Custos.Hosting;

/// <summary>
/// Where Custos keeps its data, and how it behaves. Bound from the <c>Custos</c> configuration section,
/// which command-line options, <c>CUSTOS_*</c> environment variables and appsettings.json fill, in that
/// order of precedence.
/// </summary>
public sealed class CustosSettings
{
    public const string Section = "Custos";

    /// <summary>Folder of the embedded database and local keys. Default <c>./custos-data</c>.</summary>
    public string DataDir { get; set; } = "custos-data";

    /// <summary>
    /// The key file (key-encryption and blind-index keys). Default: beside the data directory, not inside
    /// it (<c>./custos-data.keys</c>), so a copy of the data directory does not carry its keys; with
    /// PostgreSQL <c>./custos.keys</c>. Keep it off the database host's backups.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// The key-share store (ADR 0018): a file (default beside the key file, <c>custos-data.shares</c>) or a PostgreSQL
    /// connection string of a database of its own for several nodes. Kept like the key file, off the database's backups.
    /// </summary>
    public string? KeyShares { get; set; }

    /// <summary>Folder of the PostgreSQL client tools for backups (<c>pg_dump</c>, <c>pg_restore</c>); default: the newest installed, else the PATH.</summary>
    public string? PostgresTools { get; set; }

    /// <summary>Passphrase that seals the key file (env <c>CUSTOS_KEY_PASSPHRASE</c>); never a command-line argument.</summary>
    public string? KeyPassphrase { get; set; }

    /// <summary>Key-encryption keys in a PKCS#11 HSM instead of the key file (the blind-index key stays in the key file).</summary>
    public HsmSettings Hsm { get; set; } = new();

    /// <summary>A PostgreSQL connection string; empty means SQLite in <see cref="DataDir"/>.</summary>
    public string? Database { get; set; }

    /// <summary>Create the demo organisation (also done by a first <c>serve</c> unless <see cref="NoDemo"/>).</summary>
    public bool Demo { get; set; }

    /// <summary>How long one database statement may take, waiting for locks included, before the operation fails.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;

    public bool NoDemo { get; set; }

    /// <summary>Number of synthetic customers the demo organisation gets.</summary>
    public int DemoCustomers { get; set; } = 1000;

    /// <summary>Write logs as JSON lines (for collectors) instead of human-readable text.</summary>
    public bool JsonLogs { get; set; }

    public SecuritySettings Security { get; set; } = new();

    /// <summary>The tamper-evident audit log (AUD-1).</summary>
    public AuditSettings Audit { get; set; } = new();

    /// <summary>Where messages go besides the in-app inbox: e-mail and group robots.</summary>
    public NotificationSettings Notifications { get; set; } = new();

    /// <summary>Prints, exports and external shares (PRT-1, PRT-2, EXP-1).</summary>
    public CopySettings Copies { get; set; } = new();

    /// <summary>Largest attachment (scan) of a customer.</summary>
    public int MaxAttachmentMegabytes { get; set; } = 10;

    /// <summary>Largest file the import page accepts; larger files go through <c>custos import</c>.</summary>
    public int MaxUploadMegabytes { get; set; } = 50;

    /// <summary>Purposes a person may state to reveal a protected value (ACC-3); <c>other</c> needs a note. Labels: <c>Purpose.{key}</c>.</summary>
    public List<string> RevealPurposes { get; set; } = ["follow-up", "service", "complaint", "verification", "other"];

    /// <summary>
    /// Field levels and masks that differ from the policies' defaults (CLS-1, ACC-3), by field name, e.g.
    /// <c>"Fields": { "income": { "Level": 3, "Mask": "keep:0:2" } }</c>. Checked at start-up.
    /// </summary>
    public Dictionary<string, Features.Classification.FieldSettings> Fields { get; set; } = [];

    /// <summary>Display names of the levels (CLS-1) by level and language, e.g. <c>"LevelNames": { "3": { "zh-CN": "三级保护", "en": "Level 3" } }</c>.</summary>
    public Dictionary<string, Dictionary<string, string>> LevelNames { get; set; } = [];

    public string FullDataDir => Path.GetFullPath(DataDir);

    /// <summary>
    /// The private working folder (0700) inside the data directory: the only place outside the database where a
    /// protected value may touch the disk (an uploaded list waiting for its mapping), and only until it is used,
    /// abandoned, the server stops, or — after a crash — the next start.
    /// </summary>
    public string FullWorkDir => Path.Combine(FullDataDir, "work");

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(Database);

    public string FullKeyFile => Path.GetFullPath(
        !string.IsNullOrWhiteSpace(KeyFile) ? KeyFile : UsesPostgres ? "custos.keys" : FullDataDir.TrimEnd(Path.DirectorySeparatorChar) + ".keys");

    public static CustosSettings From(IConfiguration configuration)
    {
        var settings = new CustosSettings { configuration = configuration };
        configuration.GetSection(Section).Bind(settings);
        return settings;
    }

    private IConfiguration? configuration;

    /// <summary>A feature's own settings section, <c>Custos:{name}</c>, bound to <typeparamref name="T"/> (its defaults when absent).</summary>
    public T SectionOf<T>(string name)
        where T : new()
    {
        var section = new T();
        configuration?.GetSection(Section + ":" + name).Bind(section);
        return section;
    }
}

/// <summary>How copies leave Custos.</summary>
public sealed class CopySettings
{
    /// <summary>A TrueType font (or collection: its first face) with Chinese and Latin glyphs for prints; empty: WenQuanYi Micro Hei or Zen Hei where Debian puts them.</summary>
    public string? PrintFont { get; set; }

    /// <summary>Days a print may be kept before it must be returned or destroyed, unless the request says fewer.</summary>
    public int PrintUseByDays { get; set; } = 7;

    /// <summary>Days a customer's paper archive may be out on loan.</summary>
    public int LoanDays { get; set; } = 14;

    /// <summary>Most customers one export or share may hold.</summary>
    public int MaxExportRows { get; set; } = 100_000;

    /// <summary>Shortest passphrase that seals an export.</summary>
    public int MinPassphraseLength { get; set; } = 12;
}

/// <summary>PKCS#11 token holding the key-encryption keys; unused while <see cref="Library"/> is empty.</summary>
public sealed class HsmSettings
{
    /// <summary>Path of the PKCS#11 library, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</summary>
    public string? Library { get; set; }

    public string? TokenLabel { get; set; }

    /// <summary>User PIN (env <c>CUSTOS_HSM_PIN</c>); never a command-line argument.</summary>
    public string? Pin { get; set; }

    public Kernel.Crypto.Pkcs11Options? ToOptions() =>
        string.IsNullOrWhiteSpace(Library) ? null : new Kernel.Crypto.Pkcs11Options(Library, TokenLabel ?? "", Pin ?? "");
}

/// <summary>Sign-in and session rules (ACC-7).</summary>
public sealed class AuditSettings
{
    /// <summary>The first line of every checkpoint: names this log for outside verifiers.</summary>
    public string Origin { get; set; } = "custos/audit";

    /// <summary>A checkpoint is signed at every multiple of this many entries…</summary>
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>…and at most this many seconds after an entry was integrated.</summary>
    public int CheckpointSeconds { get; set; } = 10;

    /// <summary>Entries integrated per sequencer transaction.</summary>
    public int SequencerBatch { get; set; } = 5000;

    /// <summary>How long entries stay in the database before `custos audit archive` moves them to signed archive files (at least 183: Cybersecurity Law art. 21).</summary>
    public int RetentionDays { get; set; } = 1095;

    /// <summary>Where archive files go; default <c>audit-archive</c> in the data directory.</summary>
    public string? ArchiveDir { get; set; }

    /// <summary>Every new signed checkpoint is posted here (JSON, docs/audit-proofs.md) for anchoring outside the database.</summary>
    public string? CheckpointWebhook { get; set; }

    /// <summary>Copies of every entry for an outside collector.</summary>
    public AuditForwardSettings Forward { get; set; } = new();

    /// <summary>Rules over the entry stream that raise alerts for the compliance officer.</summary>
    public AuditAlertSettings Alerts { get; set; } = new();
}

public sealed class AuditAlertSettings
{
    /// <summary>More reveals (values and attachments) by one person within an hour raise an alert.</summary>
    public int RevealsPerHour { get; set; } = 30;

    /// <summary>More customer list and search pages by one person within an hour raise an alert.</summary>
    public int ListsPerHour { get; set; } = 200;

    /// <summary>More refused attempts by one person within an hour raise an alert.</summary>
    public int DeniedPerHour { get; set; } = 10;

    /// <summary>Working hours, local time of <see cref="UtcOffsetHours"/>; customer access outside them raises an alert.</summary>
    public int WorkdayStartHour { get; set; } = 7;

    public int WorkdayEndHour { get; set; } = 21;

    public double UtcOffsetHours { get; set; } = 8;

    /// <summary>Customers with this tag are decoys (honeytokens) that nobody should ever open.</summary>
    public string DecoyTag { get; set; } = "decoy";

    /// <summary>Rules whose alert also suspends the person at once.</summary>
    public List<string> SuspendOn { get; set; } = ["decoy"];
}

public sealed class AuditForwardSettings
{
    /// <summary>Append every entry as one JSON line to this file.</summary>
    public string? JsonLinesPath { get; set; }

    /// <summary>Send every entry to this syslog collector (RFC 5424 over TCP, octet-counted framing), as <c>host:port</c>.</summary>
    public string? Syslog { get; set; }

    /// <summary>The APP-NAME of syslog messages.</summary>
    public string AppName { get; set; } = "custos";
}

public sealed class NotificationSettings
{
    /// <summary>SMTP server for e-mail, as <c>host:port</c> (587 uses STARTTLS, 465 TLS); unset: no e-mail.</summary>
    public string? SmtpServer { get; set; }

    public string? SmtpUser { get; set; }

    /// <summary>The SMTP password; give it through the environment (<c>Custos__Notifications__SmtpPassword</c>), never on a command line.</summary>
    public string? SmtpPassword { get; set; }

    public string SmtpFrom { get; set; } = "custos@localhost";

    /// <summary>WeCom (企业微信) group robot webhook URL.</summary>
    public string? WeCom { get; set; }

    /// <summary>DingTalk (钉钉) group robot webhook URL, and its signing secret if the robot has one.</summary>
    public string? DingTalk { get; set; }

    public string? DingTalkSecret { get; set; }

    /// <summary>Feishu (飞书) group robot webhook URL, and its signing secret if the robot has one.</summary>
    public string? Feishu { get; set; }

    public string? FeishuSecret { get; set; }

    /// <summary>Give up on a message after this many failed attempts (it stays visible as failed).</summary>
    public int MaxAttempts { get; set; } = 8;

    public int TimeoutSeconds { get; set; } = 10;
}

public sealed class SecuritySettings
{
    /// <summary>Minutes without a request after which a session ends.</summary>
    public int IdleTimeoutMinutes { get; set; } = 30;

    /// <summary>Hours after sign-in after which a session ends, active or not.</summary>
    public int AbsoluteLifetimeHours { get; set; } = 10;

    public int MaxFailedAccessAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    public int MinimumPasswordLength { get; set; } = 10;

    /// <summary>Roles whose members may work without two-factor authentication; every other role must enrol.</summary>
    public List<string> MfaExemptRoles { get; set; } = ["staff"];

    /// <summary>Longest lifetime an administrator may give an API token.</summary>
    public int MaxApiTokenDays { get; set; } = 365;

    /// <summary>PEM or PFX certificate for HTTPS; without it Custos serves plain HTTP (put it behind TLS).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>
    /// Reverse proxies (addresses or ranges) whose <c>X-Forwarded-For</c> Custos believes. Behind a proxy, without
    /// this every request seems to come from the proxy, and the policy's network allow-lists (ACC-6) judge the proxy.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public string? CertificatePassword { get; set; }
}
