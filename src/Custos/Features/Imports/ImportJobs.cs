using System.Collections.Concurrent;
using Custos.Hosting;
using Custos.Security;

namespace Custos.Features.Imports;

public enum ImportJobState
{
    Running,
    Done,
    Refused,
    Failed,
}

/// <summary>An import started from the upload page, watched by the person who started it.</summary>
public sealed class ImportJob
{
    public Guid Id { get; init; }

    public Guid OwnerId { get; init; }

    public string FileName { get; init; } = "";

    public ImportJobState State { get; set; }

    public int Done { get; set; }

    public int Total { get; set; }

    public ImportOutcome? Outcome { get; set; }

    public string? FailureCode { get; set; }

    public IReadOnlyList<object> FailureArgs { get; set; } = [];
}

/// <summary>
/// Uploaded files waiting for their mapping, and imports running in the background (the page shows their
/// progress). An upload holds customer values in clear, so it lives only in the data directory's private working
/// folder (0700; the file 0600) and is deleted on every path: after its import (success or failure), when it is
/// abandoned for an hour, when a file cannot be read, when its owner cancels, when the server stops — and at the
/// next start after a crash. An upload is its uploader's: nobody else previews, imports or cancels it, and it is
/// imported once however often the start is posted.
/// </summary>
public sealed class ImportJobs : IHostedService, IDisposable
{
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<Guid, ImportJob> jobs = new();
    private readonly ConcurrentDictionary<Guid, (Guid Owner, string FileName)> uploads = new();
    private readonly Lock starting = new();
    private const string Prefix = "uploads-";
    private readonly string work;
    private readonly string folder;
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly ILogger<ImportJobs> log;
    private readonly ITimer sweeper;

    public ImportJobs(IServiceScopeFactory scopes, CustosSettings settings, TimeProvider time, ILogger<ImportJobs> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.scopes = scopes;
        this.time = time;
        this.log = log;
        work = settings.FullWorkDir;
        // One folder per running server, named by its process, so that several on one machine never clear each other's uploads.
        folder = Path.Combine(work, $"{Prefix}{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}");
        PrivateFolder.Create(settings.FullDataDir);
        PrivateFolder.Create(work);
        PrivateFolder.Create(folder);
        sweeper = time.CreateTimer(_ => DeleteAbandoned(), null, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));
    }

    private string PathOf(Guid upload, string fileName) => Path.Combine(folder, upload.ToString("N") + Path.GetExtension(fileName).ToLowerInvariant());

    /// <summary>The file and name of an upload waiting for <paramref name="owner"/>; anyone else's, or one gone, is not found.</summary>
    public (string Path, string FileName) Waiting(Guid upload, Guid owner)
    {
        if (uploads.TryGetValue(upload, out var waiting) && waiting.Owner == owner && PathOf(upload, waiting.FileName) is var path && File.Exists(path))
        {
            return (path, waiting.FileName);
        }

        throw CustosException.NotFound("ImportUploadGone");
    }

    /// <summary>Saves an upload of <paramref name="owner"/> privately (0600) and returns its id; refuses files over the limit.</summary>
    public async Task<Guid> SaveUploadAsync(Stream content, string fileName, long length, long limit, Guid owner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        DeleteAbandoned();
        if (length > limit)
        {
            throw CustosException.Invalid("ImportTooLarge", limit / 1024 / 1024);
        }

        var ext = Path.GetExtension(fileName).ToLowerInvariant();
        if (ext is not (".csv" or ".txt" or ".xlsx"))
        {
            throw CustosException.Invalid("ImportFileType");
        }

        var id = Guid.NewGuid();
        var path = PathOf(id, fileName);
        try
        {
            await using var file = new FileStream(path, PrivateFolder.NewFile());
            await content.CopyToAsync(file, ct);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        uploads[id] = (owner, Path.GetFileName(fileName));
        return id;
    }

    /// <summary>Deletes an upload of <paramref name="owner"/> that will not be imported (unreadable, refused, cancelled); true if there was one.</summary>
    public bool Discard(Guid upload, Guid owner)
    {
        lock (starting)
        {
            if (!uploads.TryGetValue(upload, out var waiting) || waiting.Owner != owner)
            {
                return false;
            }

            uploads.TryRemove(upload, out _);
            File.Delete(PathOf(upload, waiting.FileName));
            return true;
        }
    }

    public ImportJob? Find(Guid id, Guid ownerId) => jobs.TryGetValue(id, out var job) && job.OwnerId == ownerId ? job : null;

    /// <summary>
    /// Starts the import of <paramref name="ownerId"/>'s upload in the background, acting for them; the upload is deleted
    /// afterwards. Posted again (a double click, a reload), the running job is returned, never a second import.
    /// </summary>
    public ImportJob Start(Guid upload, Guid ownerId, string ownerName, string? clientAddress, ImportOptions options)
    {
        ImportJob job;
        string path;
        string fileName;
        lock (starting)
        {
            if (jobs.TryGetValue(upload, out var started) && started.OwnerId == ownerId)
            {
                return started;
            }

            (path, fileName) = Waiting(upload, ownerId);
            job = new ImportJob { Id = upload, OwnerId = ownerId, FileName = fileName, State = ImportJobState.Running };
            jobs[upload] = job; // first the job, then the upload goes: whoever looks finds one or the other
            uploads.TryRemove(upload, out _);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<BackgroundActor>().Set(ownerId.ToString(), ownerName, clientAddress);
                var service = scope.ServiceProvider.GetRequiredService<ImportService>();
                var outcome = await service.ImportAsync(() => File.OpenRead(path), fileName, options,
                    new SynchronousProgress(p => (job.Done, job.Total) = (p.Done, p.Total)), CancellationToken.None);
                job.Outcome = outcome;
                job.State = outcome.Imported ? ImportJobState.Done : ImportJobState.Refused;
            }
            catch (CustosException e)
            {
                job.FailureCode = e.Code;
                job.FailureArgs = e.Args;
                job.State = ImportJobState.Failed;
            }
#pragma warning disable CA1031 // A background import must end in a visible state whatever happens.
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.LogError("Import {Job} failed: {Error}", job.Id, e.GetType().Name);
                job.FailureCode = "Unexpected";
                job.State = ImportJobState.Failed;
            }
            finally
            {
                File.Delete(path);
            }
        });
        return job;
    }

    /// <summary>
    /// At start: whatever a crashed server left behind goes — the folders of processes that no longer run, here and in
    /// the system temporary folder of earlier versions.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var leftovers = Directory.EnumerateDirectories(work, Prefix + "*").Where(d => d != folder && !Running(ProcessOf(Path.GetFileName(d)[Prefix.Length..])))
            .Concat(Directory.EnumerateDirectories(Path.GetTempPath(), "custos-uploads-*").Where(d => !Running(ProcessOf(Path.GetFileName(d)["custos-uploads-".Length..]))));
        foreach (var old in leftovers.ToList())
        {
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.LogWarning("Could not remove the upload folder {Folder} a stopped server left: {Error}", old, e.GetType().Name);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The process id a folder name starts with (<c>1234</c> or <c>1234-…</c>), or 0.</summary>
    private static int ProcessOf(string name) =>
        int.TryParse(name.Split('-')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : 0;

    /// <summary>At a normal stop: no upload outlives the server.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => sweeper.Dispose();

    private static bool Running(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void DeleteAbandoned()
    {
        lock (starting)
        {
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                if (time.GetUtcNow() - File.GetLastWriteTimeUtc(file) > Abandoned && !jobs.ContainsKey(IdOf(file)))
                {
                    uploads.TryRemove(IdOf(file), out _);
                    File.Delete(file);
                }
            }
        }
    }

    private static Guid IdOf(string file) => Guid.TryParseExact(Path.GetFileNameWithoutExtension(file), "N", out var id) ? id : Guid.Empty;

    private sealed class SynchronousProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
