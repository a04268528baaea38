using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Customers;

/// <summary>
/// Periodic accuracy reviews (SEC-4): customers never reviewed count from their creation, reviewed ones from their last
/// review; those due are listed to the people whose scope holds them, a page at a time; a review is recorded with who,
/// when and what it found (never a value); each department's heads are reminded once a month, however often the worker runs.
/// </summary>
public abstract class AccuracyReviewTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private Task<StalePage> StaleAsync(Person person, string? department = null, string? cursor = null, int size = 50) =>
        app.AsAsync(person, s => s.GetRequiredService<AccuracyService>().StaleAsync(department, cursor, size, default));

    private Task<ReviewView> ReviewAsync(Person person, Guid customer, ReviewOutcome outcome) =>
        app.AsAsync(person, s => s.GetRequiredService<AccuracyService>().ReviewAsync(customer, outcome, default));

    /// <summary>Every customer of the department made older by <paramref name="months"/> (the interval is 12 months by default).</summary>
    private Task Age(string department, int months) =>
        app.WithDbAsync(async db =>
        {
            foreach (var c in await db.Customers.Where(c => db.Departments.Any(d => d.Id == c.DepartmentId && d.Code == department)).ToListAsync())
            {
                c.AccurateAsOf = c.AccurateAsOf.AddMonths(-months);
                c.CreatedAt = c.CreatedAt.AddMonths(-months);
            }

            return await db.SaveChangesAsync();
        });

    [Fact]
    public async Task Customers_due_for_review_are_listed_for_their_department_only_and_a_review_takes_one_off_the_list_SEC_4()
    {
        var mine = await app.DepartmentAsync();
        var other = await app.DepartmentAsync();
        var staff = await app.CreatePersonAsync(Roles.Staff, departments: [mine]);
        var otherStaff = await app.CreatePersonAsync(Roles.Staff, departments: [other]);
        var (first, values) = await app.CustomerAsync(staff, mine, 4101);
        var (second, _) = await app.CustomerAsync(staff, mine, 4102);
        var (theirs, _) = await app.CustomerAsync(otherStaff, other, 4103);

        // Created today: nothing is due yet.
        Assert.Empty((await StaleAsync(staff)).Items);

        // A year and a month later (counted from creation: never reviewed), both of the department are due, not the other department's.
        app.Factory.Time.Advance(TimeSpan.FromDays(396));
        var (fresh, _) = await app.CustomerAsync(staff, mine, 4104);
        var due = await StaleAsync(staff);
        Assert.Equal(new[] { first.Id, second.Id }.Order(), due.Items.Select(i => i.Id).Order());
        Assert.DoesNotContain(due.Items, i => i.Id == theirs.Id || i.Id == fresh.Id);
        Assert.All(due.Items, i => Assert.Null(i.LastOutcome));
        Assert.Equal(Custos.Kernel.Masking.Masks.Apply(Custos.Kernel.Masking.MaskKind.Name, values.Name), due.Items.Single(i => i.Id == first.Id).Name);
        Assert.Equal(new[] { theirs.Id }, (await StaleAsync(otherStaff)).Items.Select(i => i.Id));
        // Asking for another department finds nothing of it.
        Assert.Empty((await StaleAsync(staff, other)).Items);

        // Reviewed: off the list, recorded with who, when and what — and no value of the customer in the log.
        var review = await ReviewAsync(staff, first.Id, ReviewOutcome.Corrected);
        Assert.Equal(ReviewOutcome.Corrected, review.Outcome);
        Assert.Equal(new[] { second.Id }, (await StaleAsync(staff)).Items.Select(i => i.Id));
        var entry = await app.LastEntryAsync(staff, AuditActions.CustomerReview);
        Assert.Equal(first.Id.ToString(), entry.TargetId);
        Assert.Contains("Corrected", entry.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(values.Name, entry.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(values.Mobile, entry.Detail ?? "", StringComparison.Ordinal);
        var reviews = await app.AsAsync(staff, s => s.GetRequiredService<AccuracyService>().ReviewsAsync(first.Id, default));
        Assert.Equal(staff.DisplayName, Assert.Single(reviews).Reviewer);

        // Another department's customer does not exist for this person: no review, no history of reviews.
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => ReviewAsync(staff, theirs.Id, ReviewOutcome.Confirmed))).Kind);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => app.AsAsync(staff, s => s.GetRequiredService<AccuracyService>().ReviewsAsync(theirs.Id, default)))).Kind);
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<AccuracyReview>().CountAsync(r => r.CustomerId == theirs.Id)));

        // A year after its review it is due again, with its last outcome shown.
        app.Factory.Time.Advance(TimeSpan.FromDays(370));
        var again = await StaleAsync(staff);
        Assert.Equal(ReviewOutcome.Corrected, again.Items.Single(i => i.Id == first.Id).LastOutcome);
    }

    [Fact]
    public async Task The_list_is_paged_from_a_cursor_without_repeating_or_skipping_anyone()
    {
        var department = await app.DepartmentAsync();
        var staff = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await app.CustomerAsync(staff, department, 4200 + i)).Customer.Id);
            app.Factory.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await Age(department, 13);

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await StaleAsync(staff, department, cursor, 2);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(i => i.Id));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(created, seen); // oldest first, each once
        Assert.Equal("InvalidCursor", (await Assert.ThrowsAsync<CustosException>(() => StaleAsync(staff, department, "not-a-cursor"))).Code);
    }

    [Fact]
    public async Task Each_department_head_is_reminded_once_a_month_however_often_the_worker_runs()
    {
        var department = await app.DepartmentAsync();
        var quiet = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var quietHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [quiet]);
        var staff = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        await app.CustomerAsync(staff, department, 4301);
        await app.CustomerAsync(staff, department, 4302);
        await app.CustomerAsync(quietHead, quiet, 4303); // created now: not due
        await Age(department, 13);

        Task<int> Told(Person person) =>
            app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == person.Id && n.Kind == "Notify.AccuracyReviewDue"));

        for (var run = 0; run < 2; run++)
        {
            using var scope = app.AsSystem();
            await scope.ServiceProvider.GetRequiredService<AccuracyService>().RemindAsync(default);
        }

        Assert.Equal(1, await Told(head));
        Assert.Equal(0, await Told(staff)); // heads are told, not everyone
        Assert.Equal(0, await Told(quietHead)); // nothing due, nothing said
        var message = await app.WithDbAsync(db => db.Notifications.SingleAsync(n => n.RecipientId == head.Id && n.Kind == "Notify.AccuracyReviewDue"));
        Assert.StartsWith(department + "\u001f2", message.Args, StringComparison.Ordinal);

        // The next month, told again (still due).
        app.Factory.Time.Advance(TimeSpan.FromDays(32));
        using (var scope = app.AsSystem())
        {
            await scope.ServiceProvider.GetRequiredService<AccuracyService>().RemindAsync(default);
        }

        Assert.Equal(2, await Told(head));
    }

    [Fact]
    public async Task The_api_and_the_page_list_customers_due_and_record_a_review()
    {
        var department = await app.DepartmentAsync();
        var staff = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var outsider = await app.CreatePersonAsync(Roles.Staff, departments: [await app.DepartmentAsync()]);
        var (customer, _) = await app.CustomerAsync(staff, department, 4401);
        await Age(department, 13);
        using var web = await new SignIns(app).AsAsync(staff, mfa: false);
        using var outsiderWeb = await new SignIns(app).AsAsync(outsider, mfa: false);

        var page = await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/customers/stale");
        Assert.Contains(page.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == customer.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/reviews", new { outcome = "Confirmed" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await web.Client.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/reviews", new { })).StatusCode);

        var (response, html) = await web.GetPageAsync("/customers/stale");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(html.QuerySelector("#stale"));
        var reviewed = await WebSession.ParseAsync(await web.SubmitAsync("/customers/stale", "#review-" + customer.Id.ToString("N"), new Dictionary<string, string> { ["outcome"] = "Unreachable" }));
        Assert.NotNull(reviewed.QuerySelector("#reviewed"));
        Assert.Null(reviewed.QuerySelector("#review-" + customer.Id.ToString("N")));
        Assert.Equal(ReviewOutcome.Unreachable, await app.WithDbAsync(db => db.Set<AccuracyReview>().Where(r => r.CustomerId == customer.Id).Select(r => r.Outcome).SingleAsync()));
        var after = await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/customers/stale");
        Assert.DoesNotContain(after.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == customer.Id);
    }
}

public sealed class AccuracyReviewTestsOnSqlite(SqliteApp app) : AccuracyReviewTests<SqliteApp>(app);

public sealed class AccuracyReviewTestsOnPostgres(PostgresApp app) : AccuracyReviewTests<PostgresApp>(app);
