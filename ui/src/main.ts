import { appInfo, errorText } from "./ipc";

const versionLine = document.querySelector<HTMLElement>('[data-testid="core-version"]')!;

appInfo()
  .then((info) => {
    versionLine.textContent = `${info.name} ${info.version} · core ${info.coreVersion}`;
  })
  .catch((e: unknown) => {
    versionLine.classList.add("error");
    versionLine.textContent = errorText(e);
  });
