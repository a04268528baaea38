using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Kernel.Policy;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Hosting;

/// <summary>
/// Every place bytes land (SEC-1): <c>custos serve</c> and <c>custos import</c> run as processes with the system's
/// temporary folder (TMPDIR) pointed at an empty folder, through every path that handles clear customer values —
/// imports by page (CSV, an XLSX whose shared strings once went to a disk cache), an upload previewed and abandoned,
/// a broken one, the command-line import, a print, CSV and XLSX exports, a destruction — then stopped. The folder,
/// the data directory's working folder and the server's log hold no protected value; after a crash the next start
/// clears the upload the crash left.
/// </summary>
public sealed class TemporaryFilesTests : IDisposable
{
    private const string DemoPassword = "Custos-Demo-2026";
    private readonly string temp = TestPaths.NewDataDir("tmpdir");
    private readonly string dataDir = TestPaths.NewDataDir("tmp-data");
    private readonly StringBuilder log = new();
    private readonly Dictionary<string, string> keys = [];
    private readonly List<Reaper> servers = []; // a failed test leaves no server behind

    public TemporaryFilesTests() => Directory.CreateDirectory(temp);

    public void Dispose()
    {
        servers.ForEach(s => s.Dispose());
        TestPaths.Delete(temp);
        TestPaths.Delete(dataDir);
        File.Delete(dataDir + ".keys");
    }

    [Fact]
    public async Task No_protected_value_reaches_the_temporary_folder_the_working_folder_or_the_log_on_any_path()
    {
        var secrets = new List<string>();
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";

        // Whatever is written to the folder, even if deleted at once (a cache file, a buffered upload), is seen.
        var created = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var watcher = new FileSystemWatcher(temp) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        watcher.Created += (_, e) => created.Add(e.FullPath);
        watcher.Renamed += (_, e) => created.Add(e.FullPath);
        using (var server = Start(url, demo: true))
        {
            using var http = Client(url);
            await ServerProcess.WaitUntilHealthyAsync(http, server);

            // Department heads may export and destroy without a request here (a policy put in force by its approvers).
            var it = await SignedInAsync(url, "demo.it", mfa: true);
            var officer = await SignedInAsync(url, "demo.compliance", mfa: true);
            var manager = await SignedInAsync(url, "demo.gm", mfa: true);
            var policy = DefaultPolicy.Yaml.Replace("version: 1", "version: 2", StringComparison.Ordinal).Replace(
                "    allow: [list, view-masked, reveal, edit, create, import, approve]\n    with-approval: [export, print, share-external, destroy]\n  project-manager:",
                "    allow: [list, view-masked, reveal, edit, create, import, approve, export, destroy]\n    with-approval: [print, share-external]\n  project-manager:",
                StringComparison.Ordinal);
            var filed = await it.Client.PostAsJsonAsync("/api/v1/policy", new { text = policy });
            Assert.Equal(HttpStatusCode.Accepted, filed.StatusCode);
            var request = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.OK, (await officer.Client.PostAsJsonAsync($"/api/v1/requests/{request}/approve", new { note = "同意" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await manager.Client.PostAsJsonAsync($"/api/v1/requests/{request}/approve", new { note = "同意" })).StatusCode);

            // Imports by page: a CSV from Notepad, and an XLSX with 6 MB of shared strings.
            var head = await SignedInAsync(url, "demo.head", mfa: true);
            var csv = People(7001, 30);
            secrets.AddRange(csv.SelectMany(p => p));
            await ImportByPageAsync(head, "notepad.csv", Encoding.UTF8.GetBytes(Csv(csv)));
            var big = People(7002, 40_000);
            secrets.AddRange(big.Take(50).SelectMany(p => p));
            await ImportByPageAsync(head, "big.xlsx", Workbook(big));

            // An upload previewed and never imported, and a broken one.
            var abandoned = People(7003, 5);
            secrets.AddRange(abandoned.SelectMany(p => p));
            Assert.NotNull((await UploadAsync(head, "abandoned.csv", Encoding.UTF8.GetBytes(Csv(abandoned)))).QuerySelector("#mapping-form"));
            Assert.NotNull((await UploadAsync(head, "broken.xlsx", [0x50, 0x4B, 0x03, 0x04, 1, 2, 3])).QuerySelector("#import-error"));

            // A print (asked by staff, approved by the head), exports, a destruction.
            var staff = await SignedInAsync(url, "demo.staff", mfa: false);
            var customers = await staff.Client.GetFromJsonAsync<JsonElement>("/api/v1/customers?pageSize=3");
            var ids = customers.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToList();
            foreach (var id in ids)
            {
                var mobile = await staff.Client.PostAsJsonAsync($"/api/v1/customers/{id}/reveal", new { field = "mobile", purpose = "service" });
                if (mobile.IsSuccessStatusCode)
                {
                    secrets.Add((await mobile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!);
                }
            }

            var asked = await staff.Client.PostAsJsonAsync("/api/v1/requests", new { kind = "print", reason = "客户要求纸质确认", customer = ids[0] });
            Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
            var print = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.OK, (await head.Client.PostAsJsonAsync($"/api/v1/requests/{print}/approve", new { note = "同意" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await staff.Client.PostAsJsonAsync($"/api/v1/customers/{ids[0]}/print", new { purpose = "service" })).StatusCode);
            foreach (var format in new[] { "Csv", "Xlsx" })
            {
                var export = await head.Client.PostAsJsonAsync("/api/v1/exports", new { purpose = "service", passphrase = "长城-Great-Wall-2026", customers = ids, format });
                Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            }

            Assert.Equal(HttpStatusCode.OK, (await head.Client.PostAsJsonAsync($"/api/v1/customers/{ids[^1]}/destroy", new { witness = "demo.compliance", note = "到期销毁" })).StatusCode);

            // The command-line import, with the same temporary folder.
            var cli = People(7004, 10);
            secrets.AddRange(cli.SelectMany(p => p));
            var file = Path.Combine(dataDir, "cli-list.csv");
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            await File.WriteAllBytesAsync(file, Encoding.GetEncoding("GBK").GetBytes(Csv(cli)));
            var imported = await RunAsync("--as", "demo.head", "import", file, "--yes", "--department", "SALES", "--source", "展会登记表", "--purpose", "会后回访", "--legal-basis", "客户书面同意");
            Assert.True(imported.Code == 0, imported.Error + imported.Out);
            File.Delete(file);

            await StopAsync(server);
        }

        Assert.Empty(Files(Path.Combine(dataDir, "work")));
        AssertNothingOf(secrets, temp);
        Assert.True(created.IsEmpty, "written to the temporary folder: " + string.Join(", ", created.Select(Path.GetFileName)));
        lock (log)
        {
            Assert.All(secrets, s => Assert.DoesNotContain(s, log.ToString(), StringComparison.Ordinal));
        }

        // A crash with an upload waiting: the next start clears it.
        using (var crashed = Start(url, demo: false))
        {
            using var http = Client(url);
            await ServerProcess.WaitUntilHealthyAsync(http, crashed);
            var head = await SignedInAsync(url, "demo.head", mfa: true);
            Assert.NotNull((await UploadAsync(head, "waiting.csv", Encoding.UTF8.GetBytes(Csv(People(7005, 3))))).QuerySelector("#mapping-form"));
            Assert.Single(Files(Path.Combine(dataDir, "work")));
            crashed.Kill();
            await crashed.WaitForExitAsync();
        }

        Assert.Single(Files(Path.Combine(dataDir, "work"))); // what the crash left, in the private folder only
        using (var again = Start(url, demo: false))
        {
            using var http = Client(url);
            await ServerProcess.WaitUntilHealthyAsync(http, again);
            Assert.Empty(Files(Path.Combine(dataDir, "work")));
            await StopAsync(again);
        }

        AssertNothingOf(secrets, temp);

        // The database and its WAL are the owner's only, in a folder only the owner enters.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDir));
        var files = Directory.EnumerateFiles(dataDir, "custos.db*").ToList();
        Assert.Contains(files, f => f.EndsWith("custos.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    /// <summary>Looks for each value in every regular file under <paramref name="folder"/>, as UTF-8, UTF-16 and GB 18030 bytes.</summary>
    private static void AssertNothingOf(IReadOnlyCollection<string> values, string folder)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var encodings = new[] { Encoding.UTF8, Encoding.Unicode, Encoding.GetEncoding("GB18030") };
        var needles = values.Where(v => v.Length >= 3).Distinct().SelectMany(v => encodings.Select(e => (v, e.GetBytes(v)))).ToList();
        foreach (var path in Files(folder))
        {
            var bytes = File.ReadAllBytes(path);
            foreach (var (value, needle) in needles)
            {
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{path} holds a protected value ({value.Length} characters)");
            }
        }
    }

    private static List<string> Files(string folder) =>
        !Directory.Exists(folder) ? [] :
        [.. Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            .Where(f => (File.GetAttributes(f) & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0 && new FileInfo(f).Length > 0)]; // pipes and sockets have no length

    private static List<string[]> People(int seed, int count) =>
        [.. new Features.Demo.SyntheticCustomers(seed).Generate(count + (count / 50)).DistinctBy(c => c.IdNumber).Take(count).Select(c => new[] { c.Name, c.IdNumber, c.Mobile })];

    private static string Csv(List<string[]> people) => "姓名,身份证号,手机\n" + string.Concat(people.Select(p => string.Join(',', p) + "\n"));

    /// <summary>A workbook as Excel writes one: every text in a shared-strings table (here over 5 MB, where MiniExcel used to spill it to disk).</summary>
    private static byte[] Workbook(List<string[]> people)
    {
        var strings = new List<string> { "姓名", "身份证号", "手机" };
        strings.AddRange(people.SelectMany(p => p));
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Part(string name, string content)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(content);
            }

            Part("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>""");
            Part("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
            Part("xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>""");
            Part("xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>""");
            var shared = new StringBuilder($"""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{strings.Count}" uniqueCount="{strings.Count}">""");
            foreach (var s in strings)
            {
                // Padding that a real list would have too (addresses, notes), to pass the 5 MB where the disk cache began.
                shared.Append("<si><t>").Append(System.Security.SecurityElement.Escape(s)).Append("</t><phoneticPr fontId=\"1\"/></si>");
            }

            shared.Append("</sst>");
            Assert.True(Encoding.UTF8.GetByteCount(shared.ToString()) > 5 << 20, "the shared strings must pass MiniExcel's 5 MB disk-cache threshold");
            Part("xl/sharedStrings.xml", shared.ToString());
            var sheet = new StringBuilder("""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""");
            for (var row = 0; row <= people.Count; row++)
            {
                sheet.Append($"<row r=\"{row + 1}\">");
                for (var column = 0; column < 3; column++)
                {
                    sheet.Append($"<c r=\"{(char)('A' + column)}{row + 1}\" t=\"s\"><v>{(row * 3) + column}</v></c>");
                }

                sheet.Append("</row>");
            }

            sheet.Append("</sheetData></worksheet>");
            Part("xl/worksheets/sheet1.xml", sheet.ToString());
        }

        return stream.ToArray();
    }

    private static async Task ImportByPageAsync(WebSession head, string name, byte[] content)
    {
        var mapping = await UploadAsync(head, name, content);
        var form = mapping.QuerySelector("#mapping-form") ?? throw new InvalidOperationException(mapping.QuerySelector("#import-error")?.TextContent ?? "no mapping form");
        var fields = form.QuerySelectorAll("input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToList();
        fields.AddRange([new("map.0", "name"), new("map.1", "idNumber"), new("map.2", "mobile")]);
        var started = await head.Client.PostAsync("/imports", new FormUrlEncodedContent(fields));
        var progress = WebSession.Location(started);
        for (var i = 0; i < 1200; i++)
        {
            var (_, page) = await head.GetPageAsync(progress);
            if (page.QuerySelector("#import-running") is null)
            {
                Assert.True(page.QuerySelector("#import-done") is not null, page.Body?.TextContent);
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The import did not finish.");
    }

    private static async Task<AngleSharp.Dom.IDocument> UploadAsync(WebSession web, string name, byte[] content)
    {
        var (_, uploadPage) = await web.GetPageAsync("/imports");
        var token = uploadPage.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var multipart = new MultipartFormDataContent
        {
            { new StringContent("import-upload"), "_handler" },
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("客户登记表"), "source" },
            { new StringContent("售后回访"), "purpose" },
            { new StringContent("客户书面同意"), "legalBasis" },
            { new StringContent(""), "consent" },
            { new StringContent("SALES"), "department" },
            { new StringContent("Secret"), "grade" },
            { new ByteArrayContent(content), "file", name },
        };
        return await WebSession.ParseAsync(await web.Client.PostAsync("/imports", multipart));
    }

    /// <summary>Signs in; a person who must use an authenticator enrols the first time and gives a code the next.</summary>
    private async Task<WebSession> SignedInAsync(string url, string user, bool mfa)
    {
        var web = new WebSession(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url) });
        await web.SignInAsync(user, DemoPassword);
        if (mfa)
        {
            if (keys.TryGetValue(user, out var key))
            {
                await web.SubmitTotpAsync(key);
            }
            else
            {
                keys[user] = await web.EnrolMfaAsync();
            }
        }

        return web;
    }

    private Process Start(string url, bool demo)
    {
        var server = Process.Start(Custos(["serve", demo ? "--demo" : "--no-demo", "--urls", url]))!;
        server.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        server.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        servers.Add(new Reaper(server));
        return server;
    }

    /// <summary>A normal stop (SIGTERM), as systemd or Ctrl+C ends the server.</summary>
    private static async Task StopAsync(Process server)
    {
        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);
    }

    private async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var process = Process.Start(Custos(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private ProcessStartInfo Custos(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custos.dll"));
        foreach (var a in args.Concat(["--data-dir", dataDir]))
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["CUSTOS_LANG"] = "en";
        start.Environment["TMPDIR"] = temp;
        start.Environment["DOTNET_EnableDiagnostics"] = "0"; // no debugger pipes in the folder under test
        start.Environment["Custos__DemoCustomers"] = "200";
        start.Environment["Custos__MaxUploadMegabytes"] = "50";
        start.Environment.Remove("CUSTOS_DATABASE");
        return start;
    }

    private static HttpClient Client(string url) => new() { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(20) };
}
