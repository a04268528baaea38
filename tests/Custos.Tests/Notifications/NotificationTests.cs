using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.Customers;
using Custos.Features.Notifications;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Notifications;

/// <summary>
/// Messages about requests reach approvers by e-mail and through the WeCom, DingTalk and Feishu group robots:
/// in each robot's own format and signature, retried after a failure, never with a protected value or a
/// robot's key in what is shown.
/// </summary>
public sealed class NotificationTests : IAsyncLifetime
{
    private const string RobotKey = "ROBOTKEY0123456789";
    private const string DingSecret = "SECd1ngtalk";
    private readonly HttpListener robots = new();
    private readonly List<(string Path, string Query, string Body)> posts = [];
    private readonly List<string> mails = [];
    private readonly TcpListener smtp = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private string dataDir = "";
    private int weComFailures = 1;
    private int feishuTimeouts = 1;
    private CustosFactory factory = null!;

    public async Task InitializeAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        robots.Prefixes.Add($"http://127.0.0.1:{port}/");
        robots.Start();
        _ = Task.Run(ServeRobotsAsync);
        smtp.Start();
        _ = Task.Run(ServeSmtpAsync);
        dataDir = Path.Combine(Path.GetTempPath(), "custos-notify-" + Guid.NewGuid().ToString("N")[..8]);
        factory = new CustosFactory(new Dictionary<string, string?>
        {
            ["Custos:DataDir"] = dataDir,
            ["Custos:NoDemo"] = "true",
            ["Custos:Notifications:WeCom"] = $"http://127.0.0.1:{port}/cgi-bin/webhook/send?key={RobotKey}",
            ["Custos:Notifications:DingTalk"] = $"http://127.0.0.1:{port}/robot/send?access_token={RobotKey}",
            ["Custos:Notifications:DingTalkSecret"] = DingSecret,
            ["Custos:Notifications:Feishu"] = $"http://127.0.0.1:{port}/open-apis/bot/v2/hook/{RobotKey}",
            ["Custos:Notifications:SmtpServer"] = $"127.0.0.1:{((IPEndPoint)smtp.LocalEndpoint).Port}",
            ["Custos:Notifications:SmtpFrom"] = "custos@example.cn",
            ["Custos:Notifications:TimeoutSeconds"] = "1",
        });
        factory.StartServer();
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        robots.Stop();
        smtp.Stop();
        await factory.DisposeAsync();
        TestPaths.Delete(dataDir);
    }

    [Fact]
    public async Task A_request_reaches_its_approver_by_mail_and_every_group_robot_and_a_failure_is_retried()
    {
        Person head, clerk;
        Customer customer;
        using (var scope = factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync("SALES", "销售部", default);
            var people = scope.ServiceProvider.GetRequiredService<PeopleService>();
            (head, _, _) = await people.CreateAsync(new NewPerson("notify.head", "钱经理", "qian@example.cn", [Roles.DepartmentHead], ["SALES"], [], Clearance.Secret, CustosApp.Password), default);
            (clerk, _, _) = await people.CreateAsync(new NewPerson("notify.clerk", "孙员工", null, [Roles.Staff], ["SALES"], [], Clearance.Secret, CustosApp.Password), default);
        }

        var synthetic = new Features.Demo.SyntheticCustomers(71).Generate(1).Single();
        using (var scope = factory.ActAs(clerk))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(CustomerKind.Individual, "SALES", null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = synthetic.Name, [FieldCatalogue.Mobile] = synthetic.Mobile }), default);
            await scope.ServiceProvider.GetRequiredService<RequestService>().SubmitAsync(new NewRequest(RequestKind.Print, "打印回访记录存档", Customer: customer.Id), default);
        }

        async Task<int> SendAsync()
        {
            using var scope = factory.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<NotificationSender>().SendDueAsync(default);
        }

        // First round: WeCom answers with an error code, Feishu does not answer in time; e-mail and DingTalk take the message.
        Assert.Equal(2, await SendAsync());
        var failed = await WithDbAsync(db => db.NotificationDeliveries.SingleAsync(d => d.Channel == NotificationSender.WeCom));
        Assert.Null(failed.DeliveredAt);
        Assert.Contains("robot error 45009", failed.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(RobotKey, failed.LastError, StringComparison.Ordinal);
        var slow = await WithDbAsync(db => db.NotificationDeliveries.SingleAsync(d => d.Channel == NotificationSender.Feishu));
        Assert.Null(slow.DeliveredAt);
        Assert.Contains("TaskCanceledException", slow.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(RobotKey, slow.LastError, StringComparison.Ordinal);

        // Both retried once their pause is over.
        Assert.Equal(0, await SendAsync());
        factory.Time.Advance(TimeSpan.FromSeconds(16));
        await SendAsync(); // the server's own worker may be quicker, after the clock moved: either sends it, once
        for (var i = 0; i < 50 && !await WithDbAsync(db => db.NotificationDeliveries.AllAsync(d => d.DeliveredAt != null)); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await WithDbAsync(db => db.NotificationDeliveries.AllAsync(d => d.DeliveredAt != null)));
        Assert.Equal(2, posts.Count(p => p.Path == "/cgi-bin/webhook/send"));
        Assert.Equal(2, posts.Count(p => p.Path.StartsWith("/open-apis/bot/v2/hook/", StringComparison.Ordinal)));

        // Each robot in its format; DingTalk signed with its secret.
        var wecom = posts.Last(p => p.Path == "/cgi-bin/webhook/send");
        Assert.Equal("text", JsonDocument.Parse(wecom.Body).RootElement.GetProperty("msgtype").GetString());
        Assert.Contains("孙员工", wecom.Body, StringComparison.Ordinal);
        Assert.Contains("打印", wecom.Body, StringComparison.Ordinal);
        var ding = posts.Single(p => p.Path == "/robot/send");
        var query = System.Web.HttpUtility.ParseQueryString(ding.Query);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(DingSecret), Encoding.UTF8.GetBytes($"{query["timestamp"]}\n{DingSecret}")));
        Assert.Equal(expected, query["sign"]);
        var feishu = JsonDocument.Parse(posts.Last(p => p.Path.StartsWith("/open-apis/bot/v2/hook/", StringComparison.Ordinal)).Body).RootElement;
        Assert.Equal("text", feishu.GetProperty("msg_type").GetString());
        Assert.Contains("钱经理", feishu.GetProperty("content").GetProperty("text").GetString(), StringComparison.Ordinal);

        // The mail went to the head; nothing sent anywhere holds the customer's values.
        var mail = Assert.Single(mails);
        Assert.Contains("qian@example.cn", mail, StringComparison.Ordinal);
        foreach (var sent in posts.Select(p => p.Body).Append(mail))
        {
            Assert.DoesNotContain(synthetic.Mobile, sent, StringComparison.Ordinal);
            Assert.DoesNotContain(synthetic.Name, sent, StringComparison.Ordinal);
        }

        using (var scope = factory.Services.CreateScope())
        {
            var status = await scope.ServiceProvider.GetRequiredService<NotificationSender>().StatusAsync(default);
            Assert.Equal(4, status.Count);
            Assert.All(status, s => Assert.Equal((0, 1, 0), (s.Pending, s.Delivered, s.Failed)));
        }
    }

    private async Task<T> WithDbAsync<T>(Func<Custos.Data.CustosDbContext, Task<T>> query)
    {
        using var scope = factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<Custos.Data.CustosDbContext>());
    }

    private async Task ServeRobotsAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await robots.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    /// <summary>Each robot's answer; a client that gave up (the timeout case) just loses its answer.</summary>
    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Url!.AbsolutePath;
            lock (posts)
            {
                posts.Add((path, context.Request.Url.Query, body));
            }

            if (path.StartsWith("/open-apis/", StringComparison.Ordinal) && Interlocked.Decrement(ref feishuTimeouts) >= 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(2)); // longer than the configured timeout
            }

            var answer = path switch
            {
                "/cgi-bin/webhook/send" when Interlocked.Decrement(ref weComFailures) >= 0 => """{"errcode":45009,"errmsg":"api freq out of limit"}""",
                "/cgi-bin/webhook/send" or "/robot/send" => """{"errcode":0,"errmsg":"ok"}""",
                _ => """{"code":0,"msg":"success","data":{}}""",
            };
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Just enough SMTP to take one message at a time.</summary>
    private async Task ServeSmtpAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await smtp.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.UTF8);
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 test ESMTP");
                var data = new StringBuilder();
                string? line;
                while ((line = await reader.ReadLineAsync()) is not null)
                {
                    if (line.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase))
                    {
                        await writer.WriteLineAsync("250-test\r\n250 8BITMIME");
                    }
                    else if (line.StartsWith("DATA", StringComparison.OrdinalIgnoreCase))
                    {
                        await writer.WriteLineAsync("354 go ahead");
                        while ((line = await reader.ReadLineAsync()) is not null && line != ".")
                        {
                            data.AppendLine(line);
                        }

                        lock (mails)
                        {
                            mails.Add(data.ToString());
                        }

                        await writer.WriteLineAsync("250 queued");
                    }
                    else if (line.StartsWith("QUIT", StringComparison.OrdinalIgnoreCase))
                    {
                        await writer.WriteLineAsync("221 bye");
                        break;
                    }
                    else
                    {
                        await writer.WriteLineAsync("250 OK");
                    }
                }
            }
        }
    }
}
