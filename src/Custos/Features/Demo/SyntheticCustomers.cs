// Synthetic data wants a reproducible, seeded generator; it never makes a secret.
#pragma warning disable RS0030
using System.Globalization;
using Custos.Kernel.Recognisers;
using Custos.Features;

namespace Custos.Features.Demo;

/// <summary>One generated customer: plausible, well-formed and never real.</summary>
[Contract]
public sealed record SyntheticCustomer(string Name, string IdNumber, string Mobile, DateOnly BirthDate, bool Female);

/// <summary>
/// Generates synthetic individual customers for demos, tests and benchmarks: Chinese names, mainland
/// mobile numbers and resident ID numbers with real region prefixes, real birth dates and correct check
/// characters (GB 11643). The same seed gives the same customers.
/// </summary>
[Contract]
public sealed class SyntheticCustomers
{
    private static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
        "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
        "欧阳", "司马", "诸葛", "上官",
    ];

    private static readonly string[] GivenChars =
    [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
        "刚", "桂", "英", "华", "文", "辉", "建", "国", "玲", "红", "志", "宇", "浩", "欣", "怡", "晨", "子", "轩", "梓", "涵",
    ];

    /// <summary>Region codes (GB/T 2260) of city districts, as the first six digits.</summary>
    private static readonly string[] Regions =
    [
        "110101", "110105", "120101", "310101", "310104", "310115", "320102", "330106", "340102", "350203",
        "370102", "410105", "420106", "430104", "440106", "440305", "450103", "500103", "510107", "610113",
    ];

    private static readonly string[] MobilePrefixes =
    [
        "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "187", "188",
        "130", "131", "132", "155", "156", "185", "186", "176", "133", "153", "180", "181", "189", "177", "199",
    ];

    private readonly Random random;

    public SyntheticCustomers(int seed) => random = new Random(seed);

    public IEnumerable<SyntheticCustomer> Generate(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Next();
        }
    }

    public SyntheticCustomer Next()
    {
        var female = random.Next(2) == 0;
        var birth = new DateOnly(1950, 1, 1).AddDays(random.Next(0, 365 * 55));
        return new SyntheticCustomer(Name(), IdNumber(birth, female), Mobile(), birth, female);
    }

    private string Name()
    {
        var surname = Surnames[random.Next(Surnames.Length)];
        var given = GivenChars[random.Next(GivenChars.Length)];
        if (random.Next(3) > 0)
        {
            given += GivenChars[random.Next(GivenChars.Length)];
        }

        return surname + given;
    }

    private string IdNumber(DateOnly birth, bool female)
    {
        var sequence = random.Next(0, 500) * 2 + (female ? 0 : 1);
        var first17 = Regions[random.Next(Regions.Length)]
            + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture)
            + sequence.ToString("000", CultureInfo.InvariantCulture);
        return first17 + ResidentIdNumber.CheckCharacter(first17);
    }

    private string Mobile() =>
        MobilePrefixes[random.Next(MobilePrefixes.Length)] + random.Next(0, 100_000_000).ToString("00000000", CultureInfo.InvariantCulture);
}
