using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Hosting;
using Custos.Kernel.Crypto;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Custos.Security;

namespace Custos.Features.Customers;

public sealed record AttachmentView(Guid Id, string FileName, string ContentType, long Size, DateTimeOffset UploadedAt);

public sealed record AttachmentContent(string FileName, string ContentType, byte[] Content);

/// <summary>
/// Encrypted attachments (CLS-4): scans of paper archives. Only PDF, JPEG, PNG and TIFF are accepted, judged by
/// their first bytes, not their name; at most <see cref="CustosSettings.MaxAttachmentMegabytes"/>. Opening one
/// needs a purpose and is recorded before the content is decrypted, like revealing a value.
/// </summary>
public sealed class AttachmentService(CustosDbContext db, Callers callers, CustomerAccess access, IAuditTrail audit, ICurrentActor actor, CustosSettings settings, TimeProvider time)
{
    private const string Entity = "customer-attachment";

    private static readonly (string Type, byte[] Magic)[] Signatures =
    [
        ("application/pdf", "%PDF-"u8.ToArray()),
        ("image/jpeg", [0xFF, 0xD8, 0xFF]),
        ("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        ("image/tiff", [0x49, 0x49, 0x2A, 0x00]),
        ("image/tiff", [0x4D, 0x4D, 0x00, 0x2A]),
    ];

    public static string? Recognise(ReadOnlySpan<byte> head)
    {
        foreach (var (type, magic) in Signatures)
        {
            if (head.StartsWith(magic))
            {
                return type;
            }
        }

        return null;
    }

    public async Task<IReadOnlyList<AttachmentView>> ListAsync(Guid customerId, CancellationToken ct)
    {
        var customer = await access.LoadInScopeAsync(await callers.CurrentAsync(ct), customerId, AuditActions.CustomerAttachmentList, ct);
        var items = await db.CustomerAttachments.AsNoTracking().Where(a => a.CustomerId == customer.Id).OrderBy(a => a.UploadedAt).ToListAsync(ct);
        using var cipher = access.OpenCipher(customer);
        return [.. items.Select(a => new AttachmentView(a.Id, cipher.DecryptString(NameContext(customer, a.Id), a.NameCipher), a.ContentType, a.Size, a.UploadedAt))];
    }

    public async Task<Guid> AddAsync(Guid customerId, string fileName, Stream content, long length, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        var (_, customer, _) = await access.LoadForAsync(customerId, PolicyAction.Edit, AuditActions.CustomerAttachmentAdd, "MayNotEditCustomers", ct);

        var limit = settings.MaxAttachmentMegabytes * 1024L * 1024L;
        if (length > limit)
        {
            throw CustosException.Invalid("AttachmentTooLarge", settings.MaxAttachmentMegabytes);
        }

        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        if (buffer.Length > limit)
        {
            throw CustosException.Invalid("AttachmentTooLarge", settings.MaxAttachmentMegabytes);
        }

        if (buffer.Length == 0)
        {
            throw CustosException.Invalid("AttachmentEmpty");
        }

        var bytes = buffer.ToArray();
        var type = Recognise(bytes) ?? throw CustosException.Invalid("AttachmentType");
        // The name a person will see and trust: no control or direction characters (an override can turn "cod.exe" into "exe.doc"),
        // and the extension of what the file really is, whatever the name claimed.
        var name = Path.GetFileNameWithoutExtension(TextInput.Clean(string.IsNullOrWhiteSpace(fileName) ? "attachment" : Path.GetFileName(fileName), "fileName"));
        name = (name.Length > 190 ? name[..190] : name) + Extension(type);

        var id = Guid.CreateVersion7(time.GetUtcNow());
        using var cipher = access.OpenCipher(customer);
        try
        {
            db.CustomerAttachments.Add(new CustomerAttachment
            {
                Id = id,
                CustomerId = customer.Id,
                NameCipher = cipher.Encrypt(NameContext(customer, id), name),
                ContentType = type,
                Size = bytes.Length,
                Cipher = cipher.Encrypt(ContentContext(customer, id), bytes),
                UploadedAt = time.GetUtcNow(),
                UploadedBy = actor.Id,
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes); // the plaintext file, not a key
        }

        audit.Record(AuditActions.CustomerAttachmentAdd, "customer", customer.Id.ToString(), detail: new { attachment = id, type, size = buffer.Length });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>Opens an attachment for a stated purpose; the record is committed before anything is decrypted.</summary>
    public async Task<AttachmentContent> OpenAsync(Guid customerId, Guid attachmentId, string purpose, string? note, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var customer = await access.LoadInScopeAsync(viewer, customerId, AuditActions.CustomerAttachmentOpen, ct);
        var attachment = await db.CustomerAttachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId && a.CustomerId == customer.Id, ct)
            ?? throw CustosException.NotFound("AttachmentNotFound");
        note = callers.CheckPurpose(purpose, note);
        try
        {
            await Retention.ProcessingBasis.CheckAsync(db, customer.Id, purpose, ct);
        }
        catch (CustosException refused)
        {
            await audit.RecordNowAsync(AuditActions.CustomerAttachmentOpen, "customer", customer.Id.ToString(), AuditOutcome.Denied, new { attachment = attachmentId, reason = refused.Code }, ct, purpose);
            throw;
        }

        // Opening a scan hands over the file: a copy, which a view-only grant never allows (ACC-5).
        var takeAway = viewer.DecideTakeAway(PolicyAction.ViewMasked, customer);
        if (!takeAway.Allowed)
        {
            await audit.RecordNowAsync(AuditActions.CustomerAttachmentOpen, "customer", customer.Id.ToString(), AuditOutcome.Denied,
                new { attachment = attachmentId, reason = Refusals.AuditReason(takeAway) }, ct, purpose);
            throw Refusals.ToException(takeAway, "MayNotOpenAttachment");
        }

        await audit.RecordNowAsync(AuditActions.CustomerAttachmentOpen, "customer", customer.Id.ToString(), AuditOutcome.Success, new { attachment = attachmentId, note }, ct, purpose);
        using var cipher = access.OpenCipher(customer);
        return new AttachmentContent(
            cipher.DecryptString(NameContext(customer, attachment.Id), attachment.NameCipher),
            attachment.ContentType,
            cipher.Decrypt(ContentContext(customer, attachment.Id), attachment.Cipher));
    }

    private static FieldContext NameContext(Customer customer, Guid attachment) => new(Entity, customer.Id, "name:" + attachment.ToString("N"), customer.DataKeyVersion);

    private static FieldContext ContentContext(Customer customer, Guid attachment) => new(Entity, customer.Id, "content:" + attachment.ToString("N"), customer.DataKeyVersion);

    /// <summary>The extension a file of this recognised type is shown with.</summary>
    private static string Extension(string contentType) => contentType switch
    {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/tiff" => ".tif",
        _ => "",
    };
}
