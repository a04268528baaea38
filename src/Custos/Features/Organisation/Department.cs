using Custos.Features.People;
using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Organisation;

/// <summary>A department 部门: the first boundary of least knowledge (ACC-1).</summary>
[Contract]
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
[Contract]
public sealed class Project
{
    public Guid Id { get; set; }

    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public Guid DepartmentId { get; set; }

    public Department? Department { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

[Contract]
public sealed class DepartmentMembership
{
    public Guid PersonId { get; set; }

    public Person? Person { get; set; }

    public Guid DepartmentId { get; set; }

    public Department? Department { get; set; }
}

[Contract]
public sealed class ProjectMembership
{
    public Guid PersonId { get; set; }

    public Person? Person { get; set; }

    public Guid ProjectId { get; set; }

    public Project? Project { get; set; }
}

/// <summary>How <see cref="Department"/> is stored.</summary>
internal sealed class DepartmentMapping : IEntityTypeConfiguration<Department>
{
    public void Configure(EntityTypeBuilder<Department> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(d => d.Code).HasMaxLength(32);
        e.Property(d => d.Name).HasMaxLength(100);
        e.HasIndex(d => d.Code).IsUnique();
        e.HasMany(d => d.Projects).WithOne(p => p.Department).HasForeignKey(p => p.DepartmentId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>How <see cref="Project"/> is stored.</summary>
internal sealed class ProjectMapping : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(p => p.Code).HasMaxLength(32);
        e.Property(p => p.Name).HasMaxLength(100);
        e.HasIndex(p => p.Code).IsUnique();
    }
}

/// <summary>How <see cref="DepartmentMembership"/> is stored.</summary>
internal sealed class DepartmentMembershipMapping : IEntityTypeConfiguration<DepartmentMembership>
{
    public void Configure(EntityTypeBuilder<DepartmentMembership> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(m => new { m.PersonId, m.DepartmentId });
        e.HasOne(m => m.Person).WithMany(p => p.Departments).HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(m => m.Department).WithMany().HasForeignKey(m => m.DepartmentId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>How <see cref="ProjectMembership"/> is stored.</summary>
internal sealed class ProjectMembershipMapping : IEntityTypeConfiguration<ProjectMembership>
{
    public void Configure(EntityTypeBuilder<ProjectMembership> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(m => new { m.PersonId, m.ProjectId });
        e.HasOne(m => m.Person).WithMany(p => p.Projects).HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(m => m.Project).WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Restrict);
    }
}
