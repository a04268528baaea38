using Custos.Features.People;

namespace Custos.Features.Organisation;

/// <summary>A department 部门: the first boundary of least knowledge (ACC-1).</summary>
public sealed class Department
{
    public Guid Id { get; set; }

    /// <summary>Short, stable identifier used by the CLI and imports, e.g. <c>SALES</c>.</summary>
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>The department every new person joins unless told otherwise.</summary>
    public bool IsDefault { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<Project> Projects { get; } = [];
}

/// <summary>A project 项目 inside a department; people may belong to several.</summary>
public sealed class Project
{
    public Guid Id { get; set; }

    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public Guid DepartmentId { get; set; }

    public Department? Department { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class DepartmentMembership
{
    public Guid PersonId { get; set; }

    public Person? Person { get; set; }

    public Guid DepartmentId { get; set; }

    public Department? Department { get; set; }
}

public sealed class ProjectMembership
{
    public Guid PersonId { get; set; }

    public Person? Person { get; set; }

    public Guid ProjectId { get; set; }

    public Project? Project { get; set; }
}
