using System.Collections.Concurrent;
using Custos.Kernel.Policy;

namespace Custos.Security;

/// <summary>
/// People's rights as the policy sees them, kept between requests and used only while the person's rights version
/// is the one they were read at (<see cref="RightsStamps"/>). Grants carry their own validity, checked against the
/// time of each decision, so a grant that expires needs no new version. One process's memory: every node asks the
/// database for the version on every request, so a change on one node holds on the next request on all.
/// </summary>
public sealed class SubjectCache
{
    private readonly ConcurrentDictionary<Guid, Entry> entries = new();

    public sealed record Entry(long Version, string DisplayName, PolicySubject Subject);

    public Entry? Find(Guid person, long version) =>
        entries.TryGetValue(person, out var entry) && entry.Version == version ? entry : null;

    public void Keep(Guid person, Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entries[person] = entry; // versions are random (RightsStamps): the newest read is the one to keep
    }
}
