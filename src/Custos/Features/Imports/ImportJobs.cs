using System.Collections.Concurrent;
using Custos.Hosting;

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
/// progress). Uploads live in a private temporary folder only until imported or abandoned for an hour.
/// </summary>
public sealed class ImportJobs(IServiceScopeFactory scopes, TimeProvider time, ILogger<ImportJobs> log)
{
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<Guid, ImportJob> jobs = new();
    private readonly string folder = CreateFolder();

    public string PathOf(Guid upload, string fileName) => Path.Combine(folder, upload.ToString("N") + Path.GetExtension(fileName).ToLowerInvariant());

    /// <summary>Saves an upload privately (0600) and returns its id; refuses files over the limit.</summary>
    public async Task<Guid> SaveUploadAsync(Stream content, string fileName, long length, long limit, CancellationToken ct)
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
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new FileStream(PathOf(id, fileName), options);
        await content.CopyToAsync(file, ct);
        return id;
    }

    public ImportJob? Find(Guid id, Guid ownerId) => jobs.TryGetValue(id, out var job) && job.OwnerId == ownerId ? job : null;

    /// <summary>Starts the import in the background, acting for <paramref name="ownerId"/>; the upload is deleted afterwards.</summary>
    public ImportJob Start(Guid upload, string fileName, Guid ownerId, string ownerName, string? clientAddress, ImportOptions options)
    {
        var path = PathOf(upload, fileName);
        if (!File.Exists(path))
        {
            throw CustosException.NotFound("ImportUploadGone");
        }

        var job = new ImportJob { Id = upload, OwnerId = ownerId, FileName = fileName, State = ImportJobState.Running };
        jobs[upload] = job;
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

    private void DeleteAbandoned()
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (time.GetUtcNow() - File.GetLastWriteTimeUtc(file) > Abandoned)
            {
                File.Delete(file);
            }
        }
    }

    private static string CreateFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "custos-uploads-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private sealed class SynchronousProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
