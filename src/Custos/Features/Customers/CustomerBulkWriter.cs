using System.Threading.Channels;
using Custos.Data;
using Custos.Features;

namespace Custos.Features.Customers;

/// <summary>
/// Writes many new customers inside the caller's transaction. The sequence is enumerated — rows read, values
/// validated, encrypted and indexed — on a second thread while the previous batch is written on this one, so
/// on two cores the cryptography costs little more than the writes alone.
/// </summary>
[Contract]
public static class CustomerBulkWriter
{
    public const int Batch = 1000;

    /// <param name="written">Told the running total after each batch.</param>
    /// <returns>How many customers were written.</returns>
    /// <param name="shares">Where the customers' key shares go (ADR 0018), written before each batch.</param>
    public static async Task<int> WriteAsync(CustosDbContext db, IEnumerable<Customer> customers, Action<int>? written, CancellationToken ct, Keys.KeyShareStore? shares = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(customers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batches = Channel.CreateBounded<List<Customer>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() => ProduceAsync(customers, batches.Writer, stop.Token), stop.Token);
        var done = 0;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
            {
                if (batch.Any(c => c.NewShare is not null))
                {
                    CustomerShares.WriteNew(shares ?? throw new InvalidOperationException("Customers with split keys need the key-share store."), batch, (time ?? TimeProvider.System).GetUtcNow());
                }

                await db.InsertAsync(batch, ct);
                await db.InsertAsync(batch.SelectMany(c => c.Values).ToList(), ct);
                await db.InsertAsync(batch.SelectMany(c => c.Indexes).ToList(), ct);
                done += batch.Count;
                written?.Invoke(done);
            }
        }
        finally
        {
            // On failure here, stop the producer and wait for it: nothing may touch the customers after we return.
            await stop.CancelAsync();
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await producer;
        return done;
    }

    private static async Task ProduceAsync(IEnumerable<Customer> customers, ChannelWriter<List<Customer>> output, CancellationToken ct)
    {
        try
        {
            var batch = new List<Customer>(Batch);
            foreach (var customer in customers)
            {
                ct.ThrowIfCancellationRequested();
                batch.Add(customer);
                if (batch.Count == Batch)
                {
                    await output.WriteAsync(batch, ct);
                    batch = new List<Customer>(Batch);
                }
            }

            if (batch.Count > 0)
            {
                await output.WriteAsync(batch, ct);
            }

            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }
}
