using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Features.Training;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Custos.Tests.Training;

/// <summary>
/// Confidentiality training and examinations (PPL-2) under a policy that requires current training: exams drawn at
/// random, marked once and in time, certificates that run out, reminders, results and their files.
/// </summary>
public abstract class TrainingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private Task RequireTrainingAsync() => PolicyPreconditions.RequireAsync(app, nda: false, training: true);

    private async Task<(Person Clerk, WebSession Web, Customer Customer, string Department)> ClerkWithCustomerAsync(int seed)
    {
        var code = app.UniqueName("T").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "客服部" + code, default);
        }

        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [code]);
        // Created by a colleague who has passed: the clerk has no certificate yet, so may not create one.
        var customer = new Features.Demo.SyntheticCustomers(seed).Generate(1).Single();
        var writer = await app.CreatePersonAsync(Roles.Staff, departments: [code]);
        await PassAsync(writer);
        Customer created;
        using (var scope = app.ActAs(writer))
        {
            created = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(CustomerKind.Individual, code, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = customer.Name, [FieldCatalogue.Mobile] = customer.Mobile }), default);
        }

        var web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        return (clerk, web, created, code);
    }

    /// <summary>
    /// The answers to an exam as its page shows it (each question's options in the attempt's own order), right or wrong,
    /// worked out from the bank by the options' text, as only the test can.
    /// </summary>
    private async Task<Dictionary<Guid, string>> AnswersAsync(ExamView exam, bool right = true) =>
        await app.WithDbAsync(async db =>
        {
            var ids = exam.Questions.Select(q => q.Id).ToList();
            var bank = await db.Set<Question>().AsNoTracking().Where(q => ids.Contains(q.Id)).ToDictionaryAsync(q => q.Id);
            return exam.Questions.ToDictionary(q => q.Id, q =>
            {
                var b = bank[q.Id];
                if (q.Kind == QuestionKind.TrueFalse)
                {
                    return right ? b.Answer : b.Answer == "T" ? "F" : "T";
                }

                var rightTexts = b.Answer.Select(c => b.OptionList[c - 'A']).ToHashSet();
                var shown = q.Options.Select((text, i) => (Letter: (char)('A' + i), Right: rightTexts.Contains(text))).ToList();
                // Wrong: an option that is not right, or (every option right) only one of them.
                return right ? new string([.. shown.Where(o => o.Right).Select(o => o.Letter)])
                    : (shown.FirstOrDefault(o => !o.Right) is { Letter: not '\0' } wrong ? wrong : shown[0]).Letter.ToString();
            });
        });

    /// <summary>Passes the required course as <paramref name="person"/>, through the service.</summary>
    private async Task<ExamResult> PassAsync(Person person)
    {
        using var scope = app.ActAs(person);
        var service = scope.ServiceProvider.GetRequiredService<TrainingService>();
        var exam = await service.StartAsync(BuiltInCourseCode, default);
        return await service.SubmitAsync(exam.Id, await AnswersAsync(exam), default);
    }

    private const string BuiltInCourseCode = "confidentiality";

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<ExamView> StartAsync(WebSession web)
    {
        var started = await web.Client.PostAsync($"/api/v1/training/courses/{BuiltInCourseCode}/exams", null);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        return (await started.Content.ReadFromJsonAsync<ExamView>(Options))!;
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    [Fact]
    public async Task The_built_in_course_has_thirty_questions_from_the_policies_and_an_exam_draws_them_at_random()
    {
        await RequireTrainingAsync();
        using var scope = app.AsSystem();
        await scope.ServiceProvider.GetRequiredService<TrainingService>().EnsureBuiltInAsync(default);
        var bank = await app.WithDbAsync(db => db.Set<Question>().Where(q => q.Active).GroupBy(q => q.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        Assert.True(bank.Sum(b => b.Count) >= 30);
        Assert.Equal(3, bank.Count); // single, multiple and true/false

        var (_, web, _, _) = await ClerkWithCustomerAsync(401);
        var first = await StartAsync(web);
        Assert.Equal(20, first.Questions.Count);
        Assert.Equal(first.Questions.Count, first.Questions.Select(q => q.Id).Distinct().Count());
        Assert.Equal(first.Id, (await StartAsync(web)).Id); // an open exam is never drawn again
        var raw = await web.Client.GetStringAsync($"/api/v1/training/exams/{first.Id}");
        Assert.DoesNotContain("answer", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("explanation", raw, StringComparison.OrdinalIgnoreCase);

        // Another person's draw differs (20 of 34: the chance of the same set in the same order is nil).
        var (_, other, _, _) = await ClerkWithCustomerAsync(402);
        Assert.NotEqual(first.Questions.Select(q => q.Id), (await StartAsync(other)).Questions.Select(q => q.Id));
    }

    [Fact]
    public async Task Customer_information_opens_only_after_a_pass_and_closes_again_when_the_certificate_runs_out()
    {
        await RequireTrainingAsync();
        var (clerk, firstWeb, customer, _) = await ClerkWithCustomerAsync(403);
        var web = firstWeb;
        var refused = await web.Client.GetAsync($"/api/v1/customers/{customer.Id}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Policy.TrainingExpired", await CodeAsync(refused));

        // A fail: no certificate, still closed, and nothing learnt about the answers; the next attempt only after studying.
        var exam = await StartAsync(web);
        var failedResponse = await web.Client.PostAsJsonAsync($"/api/v1/training/exams/{exam.Id}/submit", new { answers = await AnswersAsync(exam, right: false) });
        var failed = await failedResponse.Content.ReadFromJsonAsync<ExamResult>(Options);
        Assert.False(failed!.Passed);
        Assert.Null(failed.Certificate);
        Assert.Empty(failed.Marked);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
        var tooSoon = await web.Client.PostAsync($"/api/v1/training/courses/{BuiltInCourseCode}/exams", null);
        Assert.Equal(HttpStatusCode.Conflict, tooSoon.StatusCode);
        Assert.Equal("ExamRetryLater", await CodeAsync(tooSoon));

        // A pass on the exam page, half an hour later: a certificate for a year, recorded, and the customer opens.
        app.Factory.Time.Advance(TrainingService.RetryAfter + TimeSpan.FromMinutes(1));
        web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        var second = await StartAsync(web);
        Assert.NotEqual(exam.Id, second.Id);
        var answers = await AnswersAsync(second);
        var fields = new Dictionary<string, string>();
        var extra = answers.SelectMany(a => a.Value.Select(letter => new KeyValuePair<string, string>("q." + a.Key, letter.ToString()))).ToList();
        var page = await web.SubmitAsync($"/training/exam/{second.Id}", "#exam-form", fields, extra);
        var document = await WebSession.ParseAsync(page);
        Assert.Contains("100", document.QuerySelector("#exam-score")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(document.QuerySelector("#exam-certificate"));
        var person = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(p => p.Id == clerk.Id));
        var today = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        Assert.Equal(today.AddDays(365), person.TrainingValidUntil);
        var entry = await app.LastEntryAsync(clerk, AuditActions.TrainingExamSubmit);
        Assert.Contains("\"passed\":true", entry.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);

        // 340 days on: reminded once; 366 days on: closed again until the next pass.
        app.Factory.Time.Advance(TimeSpan.FromDays(340));
        using (var scope = app.AsSystem())
        {
            var service = scope.ServiceProvider.GetRequiredService<TrainingService>();
            await service.RemindExpiringAsync(default); // the reminder worker, woken by the clock, may have been first
            Assert.Equal(0, await service.RemindExpiringAsync(default));
        }

        Assert.Equal(1, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == clerk.Id && n.Kind == "Notify.TrainingExpiring")));
        app.Factory.Time.Advance(TimeSpan.FromDays(26));
        using var later = app.Session();
        await later.SignInAsync(clerk.UserName!);
        var lapsed = await later.Client.GetAsync($"/api/v1/customers/{customer.Id}");
        Assert.Equal("Policy.TrainingExpired", await CodeAsync(lapsed));
        var again = await StartAsync(later);
        Assert.True((await (await later.Client.PostAsJsonAsync($"/api/v1/training/exams/{again.Id}/submit", new { answers = await AnswersAsync(again) })).Content.ReadFromJsonAsync<ExamResult>(Options))!.Passed);
        Assert.Equal(HttpStatusCode.OK, (await later.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_exam_is_handed_in_once_in_time_and_only_by_the_person_who_sits_it()
    {
        await RequireTrainingAsync();
        var (clerk, web, _, _) = await ClerkWithCustomerAsync(404);
        var (intruder, intruderWeb, _, _) = await ClerkWithCustomerAsync(405);
        var exam = await StartAsync(web);
        var answers = await AnswersAsync(exam);

        // Someone else's exam does not exist for them, and trying is recorded.
        var foreign = await intruderWeb.Client.PostAsJsonAsync($"/api/v1/training/exams/{exam.Id}/submit", new { answers });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await intruderWeb.Client.GetAsync($"/api/v1/training/exams/{exam.Id}")).StatusCode);
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(intruder, AuditActions.TrainingExamSubmit)).Outcome);

        // Through a token: refused; the person sits it themselves.
        string token;
        using (var scope = app.ActAs(clerk))
        {
            (_, token) = await scope.ServiceProvider.GetRequiredService<Features.ApiTokens.ApiTokenService>().CreateAsync("t", [Roles.Staff], 7, default);
        }

        using (var api = app.ApiClient(token))
        {
            var byToken = await api.PostAsJsonAsync($"/api/v1/training/exams/{exam.Id}/submit", new { answers });
            Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
            Assert.Equal("ExamInPerson", await CodeAsync(byToken));
        }

        // Once: the second hand-in is a conflict, and the first mark stands.
        Assert.Equal(HttpStatusCode.OK, (await web.Client.PostAsJsonAsync($"/api/v1/training/exams/{exam.Id}/submit", new { answers })).StatusCode);
        var twice = await web.Client.PostAsJsonAsync($"/api/v1/training/exams/{exam.Id}/submit", new { answers = new Dictionary<Guid, string>() });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("ExamAlreadySubmitted", await CodeAsync(twice));
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<TrainingCertificate>().CountAsync(c => c.AttemptId == exam.Id)));
        Assert.Equal(100, await app.WithDbAsync(db => db.Set<ExamAttempt>().Where(a => a.Id == exam.Id).Select(a => a.Score).SingleAsync()));

        // In time: after the limit (30 minutes and the grace), the attempt closes as expired and counts as failed.
        var late = await StartAsync(intruderWeb);
        app.Factory.Time.Advance(TimeSpan.FromMinutes(31));
        using var again = app.Session(); // the idle session ended meanwhile
        await again.SignInAsync(intruder.UserName!);
        var tooLate = await again.Client.PostAsJsonAsync($"/api/v1/training/exams/{late.Id}/submit", new { answers = await AnswersAsync(late) });

        Assert.Equal(HttpStatusCode.Conflict, tooLate.StatusCode);
        Assert.Equal("ExamTimeUp", await CodeAsync(tooLate));
        var closed = await app.WithDbAsync(db => db.Set<ExamAttempt>().AsNoTracking().SingleAsync(a => a.Id == late.Id));
        Assert.Equal((AttemptStatus.Expired, false), (closed.Status, closed.Passed));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<TrainingCertificate>().CountAsync(c => c.AttemptId == late.Id)));

        // Two hand-ins racing: one is marked, the other is a conflict, one certificate.
        var (_, racerWeb, _, _) = await ClerkWithCustomerAsync(408);
        var race = await StartAsync(racerWeb);
        var raceAnswers = await AnswersAsync(race);
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => racerWeb.Client.PostAsJsonAsync($"/api/v1/training/exams/{race.Id}/submit", new { answers = raceAnswers })));
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<TrainingCertificate>().CountAsync(c => c.AttemptId == race.Id)));
    }

    [Fact]
    public async Task Letters_learnt_in_one_attempt_mean_nothing_in_the_next_and_three_attempts_a_day_is_the_most()
    {
        await RequireTrainingAsync();
        var (clerk, web, _, _) = await ClerkWithCustomerAsync(407);

        // Start at nine in the morning of the organisation's next day, so that the attempts fall on one day.
        var local = app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        app.Factory.Time.Advance(local.Date.AddDays(1).AddHours(9) - local.DateTime);
        var orders = new List<Dictionary<Guid, string>>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            web = app.Session();
            await web.SignInAsync(clerk.UserName!);
            var exam = await StartAsync(web);
            orders.Add(exam.Questions.Where(q => q.Options.Count >= 3).ToDictionary(q => q.Id, q => string.Join("|", q.Options)));
            Assert.Equal(HttpStatusCode.OK, (await web.Client.PostAsJsonAsync($"/api/v1/training/exams/{exam.Id}/submit", new { answers = await AnswersAsync(exam, right: false) })).StatusCode);
            app.Factory.Time.Advance(TrainingService.RetryAfter + TimeSpan.FromMinutes(1));
        }

        // The same question, drawn twice, shows its options in another order at least once.
        var shared = orders[0].Keys.Intersect(orders[1].Keys).Concat(orders[1].Keys.Intersect(orders[2].Keys)).Distinct().ToList();
        Assert.NotEmpty(shared);
        Assert.Contains(shared, id => (orders[0].TryGetValue(id, out var a) && orders[1].TryGetValue(id, out var b) && a != b)
            || (orders[1].TryGetValue(id, out var c) && orders[2].TryGetValue(id, out var d) && c != d));

        web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        var fourth = await web.Client.PostAsync($"/api/v1/training/courses/{BuiltInCourseCode}/exams", null);
        Assert.Equal(HttpStatusCode.Conflict, fourth.StatusCode);
        Assert.Equal("ExamDailyLimit", await CodeAsync(fourth));
        Assert.Equal(3, await app.WithDbAsync(db => db.Set<ExamAttempt>().CountAsync(a => a.PersonId == clerk.Id)));
    }

    [Fact]
    public async Task Questions_are_added_whole_and_checked_and_results_export_for_performance_reviews()
    {
        await RequireTrainingAsync();
        var (clerk, clerkWeb, _, department) = await ClerkWithCustomerAsync(406);
        await PassAsync(clerk);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        await web.EnrolMfaAsync();

        var before = await app.WithDbAsync(db => db.Set<Question>().CountAsync());
        var bad = await web.Client.PostAsJsonAsync($"/api/v1/training/courses/{BuiltInCourseCode}/questions", new object[]
        {
            new { kind = "Single", text = "客户信息可以用私人邮箱发送吗？", options = new[] { "可以", "不可以" }, answer = "B" },
            new { kind = "Multiple", text = "多选题只有一个答案", options = new[] { "甲", "乙", "丙" }, answer = "A" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("第 2 题", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.Set<Question>().CountAsync()));
        var staffAdds = await clerkWeb.Client.PostAsJsonAsync($"/api/v1/training/courses/{BuiltInCourseCode}/questions", new object[] { new { kind = "TrueFalse", text = "保密义务离职后继续有效。", answer = "T" } });
        Assert.Equal(HttpStatusCode.Forbidden, staffAdds.StatusCode);
        var good = await web.Client.PostAsJsonAsync($"/api/v1/training/courses/{BuiltInCourseCode}/questions", new object[] { new { kind = "TrueFalse", text = "保密义务离职后继续有效。", answer = "t" } });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(before + 1, await app.WithDbAsync(db => db.Set<Question>().CountAsync()));

        // Results: not for staff; for the compliance officer, as XLSX and PDF with the department's name.
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.GetAsync("/api/v1/training/results")).StatusCode);
        var xlsx = await web.Client.GetAsync("/api/v1/training/results.xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        using (var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()))
        {
            var row = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().Single(r => (string?)r["用户名"] == clerk.UserName);
            Assert.Equal("有效", row["状态"]);
            Assert.Equal("客服部" + department, row["部门"]);
            Assert.Equal("100", row["最高分"]?.ToString());
        }

        var text = PdfText.Of(await web.Client.GetByteArrayAsync("/api/v1/training/results.pdf"));
        Assert.Contains("保密培训考核结果", text, StringComparison.Ordinal);
        Assert.Contains(clerk.UserName!, text, StringComparison.Ordinal);
        var (page, document) = await web.GetPageAsync("/training/results");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.NotNull(document.QuerySelector("#department-bars"));
        Assert.Contains("客服部" + department, document.QuerySelector("#department-summary")!.TextContent, StringComparison.Ordinal);
    }
}

public sealed class TrainingTestsOnSqlite(SqliteApp app) : TrainingTests<SqliteApp>(app);

public sealed class TrainingTestsOnPostgres(PostgresApp app) : TrainingTests<PostgresApp>(app);
