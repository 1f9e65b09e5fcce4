// Placeholder until the screen pop lands.
export const screenPops = {
  start() {},
  onEvent() {},
  render() {},
  stop() {},
};
