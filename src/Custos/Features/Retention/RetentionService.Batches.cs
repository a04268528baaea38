using System.Globalization;
using Custos.Features.Access;
using Custos.Features.Destruction;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Retention;

public sealed partial class RetentionService
{
    /// <summary>
    /// Files a batch of due customers for destruction (DST-3): the named ones, or the oldest due up to
    /// <see cref="MaxBatch"/>. Each becomes a destruction request of the caller's — the person who will destroy them — for
    /// the department head and the compliance officer (the witness) to approve. A customer not due, on legal hold or
    /// already in an open batch refuses the whole batch; nothing is filed unless all of it is.
    /// </summary>
    public async Task<BatchView> FileBatchAsync(string department, IReadOnlyList<Guid>? customers, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var target = await DepartmentForAsync(caller, department, AuditActions.RetentionBatch, ct);
        var rules = await RulesAsync(ct);
        var today = Today(caller);
        var due = DueRows(rules, today).Where(r => r.DepartmentId == target.Id);
        List<Guid> chosen;
        if (customers is { Count: > 0 })
        {
            if (customers.Count > MaxBatch)
            {
                throw CustosException.Invalid("BatchTooLarge", MaxBatch);
            }

            var wanted = customers.Distinct().ToList();
            var held = await db.Set<CustomerLifecycle>().AsNoTracking().CountAsync(l => wanted.Contains(l.CustomerId) && l.LegalHold, ct);
            if (held > 0)
            {
                await audit.RecordNowAsync(AuditActions.RetentionBatch, "department", target.Code, AuditOutcome.Denied, new { reason = "legal-hold", held }, ct);
                throw CustosException.Conflict("BatchHasLegalHold", held);
            }

            chosen = await due.Where(r => wanted.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct);
            if (chosen.Count != wanted.Count)
            {
                throw CustosException.Invalid("BatchNotDue", wanted.Count - chosen.Count);
            }
        }
        else
        {
            chosen = await due.OrderBy(r => r.Id).Select(r => r.Id).Take(MaxBatch * 5).ToListAsync(ct);
        }

        var open = await db.Set<RetentionBatchItem>().AsNoTracking().Where(i => chosen.Contains(i.CustomerId) && i.Outcome == BatchItemOutcome.Requested).Select(i => i.CustomerId).ToListAsync(ct);
        if (customers is { Count: > 0 } && open.Count > 0)
        {
            throw CustosException.Conflict("BatchAlreadyFiled", open.Count);
        }

        chosen = [.. chosen.Except(open).Take(MaxBatch)];
        if (chosen.Count == 0)
        {
            throw CustosException.Invalid("BatchEmpty");
        }

        var now = time.GetUtcNow();
        var batchId = Guid.CreateVersion7(now);
        var batch = new RetentionBatch
        {
            Id = batchId,
            Number = $"RB-{now:yyyyMMdd}-{batchId.ToString("N")[^6..].ToUpperInvariant()}",
            DepartmentId = target.Id,
            OperatorId = caller.PersonId,
            OperatorName = caller.Name,
            CreatedAt = now,
        };

        // All or nothing: the requests and the batch in one transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Add(batch);
        await db.SaveChangesAsync(ct);
        foreach (var customer in chosen)
        {
            var request = await requests.SubmitAsync(new NewRequest(RequestKind.Destroy, $"保存期限届满，按制度销毁（{batch.Number}）", Customer: customer, Hours: 72), ct);
            db.Add(new RetentionBatchItem { BatchId = batch.Id, CustomerId = customer, RequestId = request.Id, Outcome = BatchItemOutcome.Requested });
        }

        audit.Record(AuditActions.RetentionBatch, "retention-batch", batch.Id.ToString(), detail: new { number = batch.Number, department = target.Code, customers = chosen.Count });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return await BatchAsync(batch.Id, ct);
    }

    /// <summary>Approves or rejects every request of the batch that waits for the caller (the head's step, then the compliance officer's).</summary>
    public async Task<BatchView> DecideBatchAsync(Guid id, bool approve, string? note, CancellationToken ct)
    {
        var batch = await LoadBatchAsync(id, ct);
        var decided = 0;
        CustosException? first = null;
        foreach (var item in batch.Items.Where(i => i.Outcome == BatchItemOutcome.Requested))
        {
            try
            {
                var view = await requests.DecideAsync(item.RequestId, approve, note, ct);
                decided++;
                if (view.Status == RequestStatus.Rejected)
                {
                    item.Outcome = BatchItemOutcome.Refused;
                    item.At = time.GetUtcNow();
                }
            }
            catch (CustosException e)
            {
                first ??= e;
            }
        }

        if (decided == 0)
        {
            throw first ?? CustosException.Conflict("BatchNothingToDecide");
        }

        audit.Record(AuditActions.RetentionBatch, "retention-batch", batch.Id.ToString(), detail: new { number = batch.Number, decided, approve });
        await db.SaveChangesAsync(ct);
        return await BatchAsync(id, ct);
    }

    /// <summary>
    /// Carries out a batch (its operator): each approved customer destroyed with the approver as witness and recorded in the
    /// register; one on legal hold meanwhile is left and marked held; one not yet approved waits.
    /// </summary>
    public async Task<BatchView> ExecuteBatchAsync(Guid id, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var batch = await LoadBatchAsync(id, ct);
        if (batch.OperatorId != caller.PersonId)
        {
            throw new CustosException(CustosError.Forbidden, "BatchOperatorOnly");
        }

        var destroyed = 0;
        var held = 0;
        foreach (var customer in batch.Items.Where(i => i.Outcome == BatchItemOutcome.Requested).Select(i => i.CustomerId).ToList())
        {
            var item = batch.Items.Single(i => i.CustomerId == customer);
            if (await ProcessingBasis.IsHeldAsync(db, customer, ct))
            {
                item.Outcome = BatchItemOutcome.Held;
                item.At = time.GetUtcNow();
                held++;
                await db.SaveChangesAsync(ct);
                continue;
            }

            if ((await requests.StatusOfAsync([item.RequestId], ct)).GetValueOrDefault(item.RequestId) != RequestStatus.Approved)
            {
                continue;
            }

            BatchItemOutcome outcome;
            try
            {
                await destruction.DestroyAsync(customer, new DestroyOrder(Note: batch.Number), ct);
                outcome = BatchItemOutcome.Destroyed;
                destroyed++;
            }
            catch (CustosException e)
            {
                // Gone another way meanwhile, or no witness any more: this one is set aside, the rest go on.
                outcome = e.Kind == CustosError.NotFound ? BatchItemOutcome.Gone : BatchItemOutcome.Failed;
                db.ChangeTracker.Clear();
                batch = await LoadBatchAsync(id, ct);
                item = batch.Items.Single(i => i.CustomerId == customer);
            }

            item.Outcome = outcome;
            item.At = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }

        if (batch.Items.All(i => i.Outcome != BatchItemOutcome.Requested))
        {
            batch.DoneAt = time.GetUtcNow();
        }

        audit.Record(AuditActions.RetentionBatch, "retention-batch", batch.Id.ToString(), detail: new { number = batch.Number, destroyed, held });
        await db.SaveChangesAsync(ct);
        return await BatchAsync(id, ct);
    }

    public async Task<IReadOnlyList<BatchView>> BatchesAsync(string department, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var target = await DepartmentForAsync(caller, department, AuditActions.RetentionDue, ct);
        var ids = await db.Set<RetentionBatch>().AsNoTracking().Where(b => b.DepartmentId == target.Id).OrderByDescending(b => b.CreatedAt).Select(b => b.Id).Take(50).ToListAsync(ct);
        var views = new List<BatchView>();
        foreach (var batch in ids)
        {
            views.Add(await BatchAsync(batch, ct));
        }

        return views;
    }

    public async Task<BatchView> BatchAsync(Guid id, CancellationToken ct)
    {
        var batch = await LoadBatchAsync(id, ct);
        var department = await db.Departments.AsNoTracking().Where(d => d.Id == batch.DepartmentId).Select(d => d.Name).SingleAsync(ct);
        var statuses = await requests.StatusOfAsync([.. batch.Items.Select(i => i.RequestId)], ct);
        return new BatchView(batch.Id, batch.Number, department, batch.OperatorName, batch.CreatedAt, batch.DoneAt,
            [.. batch.Items.OrderBy(i => i.CustomerId).Select(i => new BatchItemView(i.CustomerId, i.RequestId, i.Outcome.ToString(), statuses.GetValueOrDefault(i.RequestId).ToString()))]);
    }

    /// <summary>A batch the caller may see: its department's heads and information officers, compliance officers; else 404.</summary>
    private async Task<RetentionBatch> LoadBatchAsync(Guid id, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var batch = await db.Set<RetentionBatch>().Include(b => b.Items).SingleOrDefaultAsync(b => b.Id == id, ct);
        var code = batch is null ? "" : await db.Departments.AsNoTracking().Where(d => d.Id == batch.DepartmentId).Select(d => d.Code).SingleAsync(ct);
        if (batch is null)
        {
            await audit.RecordNowAsync(AuditActions.RetentionBatch, "retention-batch", id.ToString(), AuditOutcome.Denied, new { reason = "not-found" }, ct);
            throw CustosException.NotFound("BatchNotFound");
        }

        await DepartmentForAsync(caller, code, AuditActions.RetentionBatch, ct);
        return batch;
    }
}
