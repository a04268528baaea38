using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Custos.Tests.Audit;

/// <summary>
/// Fail-closed auditing (AUD-1): when the audit entry cannot be written — the database refuses it, the write
/// times out, the disk is full — the operation fails, says why, shows nothing and stores nothing.
/// </summary>
public abstract class AuditFailClosedTests(string provider)
{
    private const string Mobile = "13987654321";

    /// <summary>Makes every write of an audit entry fail the way a full disk does, while switched on; or, with <see cref="SlowMs"/>, take that long, as a slow disk does.</summary>
    private sealed class DiskFull : DbCommandInterceptor
    {
        public volatile bool On;

        public volatile int SlowMs;

        private static bool WritesAudit(DbCommand command) => command.CommandText.Contains("INSERT INTO \"AuditRecords\"", StringComparison.Ordinal);

        private void Check(DbCommand command)
        {
            if (On && WritesAudit(command))
            {
                throw command is NpgsqlCommand
                    ? new PostgresException("could not extend file: No space left on device", "ERROR", "ERROR", "53100")
                    : new SqliteException("database or disk is full", 13);
            }
        }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            if (SlowMs > 0 && WritesAudit(command))
            {
                await Task.Delay(SlowMs, cancellationToken);
            }

            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Check(command);
            if (SlowMs > 0 && WritesAudit(command))
            {
                await Task.Delay(SlowMs, cancellationToken);
            }

            return result;
        }
    }

    private sealed record Scene(AuditHost Host, WebSession Web, Person Staff, Guid Customer, DiskFull DiskFull) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Web.Dispose();
            await Host.DisposeAsync();
        }
    }

    private async Task<Scene> SceneAsync()
    {
        var diskFull = new DiskFull();
        var host = await AuditHost.StartAsync(provider,
            services =>
            {
                // The context registered is the provider's own; options are per context type.
                services.ConfigureDbContext<SqliteCustosDbContext>(o => o.AddInterceptors(diskFull));
                services.ConfigureDbContext<PostgresCustosDbContext>(o => o.AddInterceptors(diskFull));
            },
            // A short command timeout, so that a write stuck behind a lock gives up within the test.
            new() { ["Custos:CommandTimeoutSeconds"] = "3" });
        var staff = await host.WithAsync(async s => (await s.GetRequiredService<PeopleService>().CreateAsync(
            new NewPerson("fc.staff", "员工", null, [Roles.Staff], [Custos.Data.DatabaseInitialiser.DefaultDepartmentCode], [], Clearance.Secret, CustosApp.Password), default)).Person);
        var web = new WebSession(host.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), host.Factory.Time);
        await web.SignInAsync(staff.UserName!);
        var created = await web.Client.PostAsJsonAsync("/api/v1/customers", new { grade = "Secret", values = new Dictionary<string, string> { ["name"] = "王小明", ["mobile"] = Mobile } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return new Scene(host, web, staff, id, diskFull);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{response.StatusCode}: {body}");
        Assert.Equal("AuditUnavailable", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain(Mobile, body, StringComparison.Ordinal);
    }

    /// <summary>Reveal, view and create are refused; nothing new is stored; the same calls work once the fault is gone.</summary>
    private static async Task AssertFailsClosedWhileAsync(Scene scene, Func<Task<IAsyncDisposable>> fault)
    {
        var customersBefore = await scene.Host.DbAsync(db => db.Customers.CountAsync());
        var entriesBefore = await scene.Host.DbAsync(db => db.AuditRecords.CountAsync());
        await using (await fault())
        {
            await AssertRefusedAsync(await scene.Web.Client.PostAsJsonAsync($"/api/v1/customers/{scene.Customer}/reveal", new { field = "mobile", purpose = "follow-up" }));
            await AssertRefusedAsync(await scene.Web.Client.GetAsync($"/api/v1/customers/{scene.Customer}"));
            await AssertRefusedAsync(await scene.Web.Client.PostAsJsonAsync("/api/v1/customers", new { grade = "Secret", values = new Dictionary<string, string> { ["name"] = "李四" } }));

            // A clerk on the customer's page is told why, in plain words, and sees no value.
            var (response, page) = await scene.Web.GetPageAsync($"/customers/{scene.Customer}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("审计日志", page.QuerySelector("#error-message")!.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain(Mobile, page.Body!.TextContent, StringComparison.Ordinal);
        }

        Assert.Equal(customersBefore, await scene.Host.DbAsync(db => db.Customers.CountAsync()));
        Assert.Equal(entriesBefore, await scene.Host.DbAsync(db => db.AuditRecords.CountAsync()));
        var revealed = await scene.Web.Client.PostAsJsonAsync($"/api/v1/customers/{scene.Customer}/reveal", new { field = "mobile", purpose = "follow-up" });
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        Assert.Equal(entriesBefore + 1, await scene.Host.DbAsync(db => db.AuditRecords.CountAsync()));
    }

    private sealed class Undo(Func<Task> undo) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await undo();
    }

    private static async Task ExecuteAsync(AuditHost host, string sql)
    {
        await using DbConnection connection = host.ConnectionString is { } pg ? new NpgsqlConnection(pg) : new SqliteConnection("Data Source=" + host.SqlitePath);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_database_refusing_the_entry_refuses_the_operation()
    {
        await using var scene = await SceneAsync();
        var postgres = scene.Host.ConnectionString is not null;
        await AssertFailsClosedWhileAsync(scene, async () =>
        {
            await ExecuteAsync(scene.Host, postgres
                ? """
                  CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store refused the entry'; END $$;
                  CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditRecords" FOR EACH ROW EXECUTE FUNCTION refuse_audit();
                  """
                : """CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditRecords" BEGIN SELECT RAISE(ABORT, 'audit store refused the entry'); END;""");
            return new Undo(() => ExecuteAsync(scene.Host, postgres
                ? """DROP TRIGGER refuse_audit ON "AuditRecords"; DROP FUNCTION refuse_audit();"""
                : "DROP TRIGGER refuse_audit;"));
        });
    }

    /// <summary>32 reveals at once, each in its own request scope; returns what each one got or threw.</summary>
    private static async Task<List<(string? Value, Exception? Error)>> RevealTogetherAsync(Scene scene, int count, Func<int, Guid>? customer = null) =>
        [.. await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            using var scope = scene.Host.Factory.ActAs(scene.Staff);
            try
            {
                return ((string?)await scope.ServiceProvider.GetRequiredService<CustomerService>().RevealAsync(customer?.Invoke(i) ?? scene.Customer, "mobile", "follow-up", $"n{i}", default), (Exception?)null);
            }
            catch (AuditWriteException e)
            {
                return (null, e);
            }
        })))];

    [Fact]
    public async Task Concurrent_reveals_share_commits_and_a_commit_that_fails_refuses_every_reveal_in_it()
    {
        await using var scene = await SceneAsync();
        var group = scene.Host.Factory.Services.GetRequiredService<AuditGroupCommit>();
        var entriesBefore = await scene.Host.DbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "customer.reveal"));
        var (batchesBefore, _) = group.Committed;

        // A disk that takes 30 ms a write, so that reveals arriving while one commit is under way share the next one
        // however the thread pool happens to start them on a busy machine.
        scene.DiskFull.SlowMs = 30;
        var shown = await RevealTogetherAsync(scene, 32);
        scene.DiskFull.SlowMs = 0;
        Assert.All(shown, r => Assert.Equal(Mobile, r.Value));
        // Every reveal's entry is stored, and fewer commits than reveals carried them.
        Assert.Equal(entriesBefore + 32, await scene.Host.DbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "customer.reveal")));
        var batches = group.Committed.Batches - batchesBefore;
        Assert.True(batches < 32, $"{batches} commits for 32 concurrent reveals");

        scene.DiskFull.On = true;
        var refused = await RevealTogetherAsync(scene, 32);
        scene.DiskFull.On = false;
        Assert.All(refused, r =>
        {
            Assert.Null(r.Value);
            Assert.IsType<AuditWriteException>(r.Error);
            Assert.DoesNotContain(Mobile, r.Error!.ToString(), StringComparison.Ordinal);
        });
        Assert.Equal(entriesBefore + 32, await scene.Host.DbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "customer.reveal")));
    }

    [Fact]
    public async Task An_entry_the_store_refuses_refuses_only_its_own_reveal_not_the_others_committed_with_it()
    {
        await using var scene = await SceneAsync();
        var other = await scene.Web.Client.PostAsJsonAsync("/api/v1/customers", new { grade = "Secret", values = new Dictionary<string, string> { ["name"] = "赵六", ["mobile"] = Mobile } });
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        var refusedCustomer = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var postgres = scene.Host.ConnectionString is not null;
        // The store refuses the data of one entry (a constraint), as it would a value it cannot hold.
        await ExecuteAsync(scene.Host, postgres
            ? $"""
              CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW."TargetId" = '{refusedCustomer}' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$;
              CREATE TRIGGER refuse_one BEFORE INSERT ON "AuditRecords" FOR EACH ROW EXECUTE FUNCTION refuse_one();
              """
            : $"""CREATE TRIGGER refuse_one BEFORE INSERT ON "AuditRecords" WHEN NEW."TargetId" = '{refusedCustomer}' BEGIN SELECT RAISE(ABORT, 'refused'); END;""");
        var entriesBefore = await scene.Host.DbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "customer.reveal"));

        var results = await RevealTogetherAsync(scene, 32, i => i % 8 == 3 ? refusedCustomer : scene.Customer);
        for (var i = 0; i < results.Count; i++)
        {
            if (i % 8 == 3)
            {
                Assert.Null(results[i].Value);
                Assert.IsType<AuditWriteException>(results[i].Error);
            }
            else
            {
                Assert.Equal(Mobile, results[i].Value);
            }
        }

        Assert.Equal(entriesBefore + 28, await scene.Host.DbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "customer.reveal")));
    }

    [Fact]
    public async Task A_full_disk_refuses_the_operation()
    {
        await using var scene = await SceneAsync();
        await AssertFailsClosedWhileAsync(scene, () =>
        {
            scene.DiskFull.On = true;
            return Task.FromResult<IAsyncDisposable>(new Undo(() =>
            {
                scene.DiskFull.On = false;
                return Task.CompletedTask;
            }));
        });
    }

    [Fact]
    public async Task A_write_that_times_out_refuses_the_reveal_and_shows_nothing()
    {
        await using var scene = await SceneAsync();
        var entriesBefore = await scene.Host.DbAsync(db => db.AuditRecords.CountAsync());

        // Another session holds the audit table (PostgreSQL) or the database's write lock (SQLite) for longer
        // than the server waits.
        await using DbConnection blocker = scene.Host.ConnectionString is { } pg ? new NpgsqlConnection(pg) : new SqliteConnection("Data Source=" + scene.Host.SqlitePath);
        await blocker.OpenAsync();
        await using (var command = blocker.CreateCommand())
        {
            command.CommandText = blocker is NpgsqlConnection ? """BEGIN; LOCK TABLE "AuditRecords" IN EXCLUSIVE MODE;""" : "BEGIN IMMEDIATE;";
            await command.ExecuteNonQueryAsync();
        }

        using (var scope = scene.Host.Factory.ActAs(scene.Staff))
        {
            var error = await Assert.ThrowsAsync<AuditWriteException>(() =>
                scope.ServiceProvider.GetRequiredService<CustomerService>().RevealAsync(scene.Customer, "mobile", "follow-up", null, default));
            Assert.DoesNotContain(Mobile, error.ToString(), StringComparison.Ordinal);
        }

        await using (var command = blocker.CreateCommand())
        {
            command.CommandText = "ROLLBACK;";
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(entriesBefore, await scene.Host.DbAsync(db => db.AuditRecords.CountAsync()));
        using (var scope = scene.Host.Factory.ActAs(scene.Staff))
        {
            Assert.Equal(Mobile, await scope.ServiceProvider.GetRequiredService<CustomerService>().RevealAsync(scene.Customer, "mobile", "follow-up", null, default));
        }
    }
}

public sealed class SqliteAuditFailClosedTests() : AuditFailClosedTests("sqlite");

public sealed class PostgresAuditFailClosedTests() : AuditFailClosedTests("postgres");
