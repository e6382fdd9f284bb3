import { describe, expect, it } from "vitest";
import type { Container } from "../../src/bindings/container.ts";
import { containerUrl } from "../../src/bindings/container.ts";
import { findBindingConflict } from "../../src/bindings/find-binding-conflict.ts";

const space: Container = { type: "space", id: "10", name: "Eng", spaceId: "10", folderId: null, path: "Eng" };
const folder: Container = {
  type: "folder",
  id: "20",
  name: "Sprints",
  spaceId: "10",
  folderId: null,
  path: "Eng › Sprints",
};
const list: Container = {
  type: "list",
  id: "30",
  name: "S1",
  spaceId: "10",
  folderId: "20",
  path: "Eng › Sprints › S1",
};
const loose: Container = {
  type: "list",
  id: "31",
  name: "Inbox",
  spaceId: "10",
  folderId: null,
  path: "Eng › Inbox",
};
const other: Container = { type: "space", id: "11", name: "Ops", spaceId: "11", folderId: null, path: "Ops" };

describe("findBindingConflict", () => {
  it("allows unrelated containers", () => {
    expect(findBindingConflict(other, [space])).toBeNull();
    expect(findBindingConflict(loose, [folder])).toBeNull();
    expect(findBindingConflict(list, [])).toBeNull();
  });

  it("refuses the same container twice", () => {
    expect(findBindingConflict(list, [list])).toMatch(/already binds list Eng › Sprints › S1 \(30\)/);
  });

  it("refuses a container an existing binding covers, naming it", () => {
    expect(findBindingConflict(list, [folder])).toMatch(
      /binding of folder Eng › Sprints \(20\) already covers it/,
    );
    expect(findBindingConflict(loose, [space])).toMatch(/space Eng \(10\) already covers it/);
  });

  it("refuses a container that would cover an existing binding", () => {
    expect(findBindingConflict(space, [list])).toMatch(/would cover this channel's existing binding of list/);
    expect(findBindingConflict(folder, [list])).toMatch(/unbind that one first/);
  });

  it("links to each kind of container in ClickUp", () => {
    expect(containerUrl("9001", list)).toBe("https://app.clickup.com/9001/v/li/30");
    expect(containerUrl("9001", folder)).toBe("https://app.clickup.com/9001/v/f/20");
    expect(containerUrl("9001", space)).toBe("https://app.clickup.com/9001/v/s/10");
  });
});
