export function CommandCenterPage() { return <p>CommandCenterPage</p>; }
