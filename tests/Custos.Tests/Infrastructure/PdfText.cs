using System.Diagnostics;

namespace Custos.Tests.Infrastructure;

/// <summary>Reads a PDF Custos wrote back as text, through poppler's pdftotext (apt-get install -y poppler-utils).</summary>
public static class PdfText
{
    /// <summary>The text of a PDF, through poppler's pdftotext.</summary>
    public static string Of(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), "custos-print-" + Guid.NewGuid().ToString("N") + ".pdf");
        File.WriteAllBytes(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-enc", "UTF-8", path, "-"]) { RedirectStandardOutput = true, UseShellExecute = false })
                ?? throw new InvalidOperationException("pdftotext did not start");
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "pdftotext failed on the print");
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("These tests read prints back with pdftotext: apt-get install -y poppler-utils");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
